/**
 * Usage amounts by unit. Each product counts in its own units (tokens for
 * LLM completions, characters for text to speech, seconds of audio for
 * speech to text and the voice changer: lib/usage/products.ts), so amounts
 * are kept and shown per unit and never added across units. Requests and
 * errors are counts of requests and can be summed across products.
 * Pure and client-safe.
 */
import { PRODUCTS, type Product } from "./products";
import { unitRank, type UnitTotals } from "./unit-order";

export { unitEntries, unitRank, type UnitAmounts, type UnitTotals } from "./unit-order";

/** Every unit a product counts in, in the order the dashboard lists them. */
export const UNITS = [...new Set(PRODUCTS.flatMap((p) => [p.inputUnit, p.outputUnit]))].sort((a, b) => unitRank(a) - unitRank(b));

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

/** One amount a chart line or a table column can show: one side, one unit. */
export type UnitColumn = { id: string; side: "input" | "output"; unit: string; label: string };

/** The amounts the rows have, input then output, each in the order of UNITS; units nothing was counted in are left out. */
export function unitColumns(rows: { units: UnitTotals }[]): UnitColumn[] {
  const out: UnitColumn[] = [];
  for (const side of ["input", "output"] as const) {
    const used = new Set(rows.flatMap((r) => Object.keys(r.units[side]).filter((u) => r.units[side][u])));
    for (const unit of [...UNITS.filter((u) => used.has(u)), ...[...used].filter((u) => !UNITS.includes(u)).sort()]) {
      out.push({ id: `${side}:${unit}`, side, unit, label: `${side === "input" ? "Input" : "Output"} ${unit}` });
    }
  }
  return out;
}
