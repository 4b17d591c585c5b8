/**
 * Usage amounts by unit. Each product counts in its own units (tokens for
 * LLM completions, characters for text to speech, seconds of audio for
 * speech to text and the voice changer: lib/usage/products.ts), so amounts
 * are kept and shown per unit and never added across units. Requests and
 * errors are counts of requests and can be summed across products.
 * Pure and client-safe.
 */
import { PRODUCTS, type Product } from "./products";

/** Every unit a product counts in, in the order the dashboard lists them. */
export const UNITS = [...new Set(PRODUCTS.flatMap((p) => [p.inputUnit, p.outputUnit]))].sort((a, b) => unitRank(a) - unitRank(b));

function unitRank(u: string): number {
  const order = ["tokens", "characters", "seconds of audio", "voices"];
  const i = order.indexOf(u);
  return i === -1 ? order.length : i;
}

/** Amounts keyed by unit, e.g. { tokens: 1200, characters: 340 }; a unit with nothing counted is absent. */
export type UnitAmounts = Partial<Record<string, number>>;
export type UnitTotals = { input: UnitAmounts; output: UnitAmounts };

export function emptyUnits(): UnitTotals {
  return { input: {}, output: {} };
}

/** The units a product's input and output count in; a product the catalogue does not know counts in plain "units". */
export function unitsOf(product: string | null | undefined): { input: string; output: string } {
  const p = PRODUCTS.find((x) => x.id === (product as Product));
  return p ? { input: p.inputUnit, output: p.outputUnit } : { input: "units", output: "units" };
}

/** Adds one product's input and output amounts to the totals of their units (in place). */
export function addUnits(into: UnitTotals, product: string | null | undefined, input: number, output: number): UnitTotals {
  const u = unitsOf(product);
  if (input !== 0) into.input[u.input] = (into.input[u.input] ?? 0) + input;
  if (output !== 0) into.output[u.output] = (into.output[u.output] ?? 0) + output;
  return into;
}

/** Sums of two unit totals, unit by unit. */
export function mergeUnits(a: UnitTotals, b: UnitTotals): UnitTotals {
  const out = emptyUnits();
  for (const side of ["input", "output"] as const) {
    for (const src of [a[side], b[side]]) for (const [u, n] of Object.entries(src)) if (n) out[side][u] = (out[side][u] ?? 0) + n;
  }
  return out;
}

/** The amounts as [unit, amount] pairs in the order of UNITS, zero amounts left out. */
export function unitEntries(a: UnitAmounts): [string, number][] {
  return Object.entries(a)
    .filter((e): e is [string, number] => typeof e[1] === "number" && e[1] !== 0)
    .sort((x, y) => unitRank(x[0]) - unitRank(y[0]) || (x[0] < y[0] ? -1 : 1));
}
