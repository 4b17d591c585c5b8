/**
 * The order units are listed in, and amounts keyed by unit: no imports, so
 * the formatting a client component loads (components/ui/format.ts) does not
 * bring the product catalogue and the vocabulary's zod with it. The rest of
 * the unit rules are in lib/usage/units.ts, which re-exports these.
 */

/** Amounts keyed by unit, e.g. { tokens: 1200, characters: 340 }; a unit with nothing counted is absent. */
export type UnitAmounts = Partial<Record<string, number>>;
export type UnitTotals = { input: UnitAmounts; output: UnitAmounts };

export function unitRank(u: string): number {
  const order = ["tokens", "characters", "seconds of audio", "voices"];
  const i = order.indexOf(u);
  return i === -1 ? order.length : i;
}

/** The amounts as [unit, amount] pairs in the order of unitRank, zero amounts left out. */
export function unitEntries(a: UnitAmounts): [string, number][] {
  return Object.entries(a)
    .filter((e): e is [string, number] => typeof e[1] === "number" && e[1] !== 0)
    .sort((x, y) => unitRank(x[0]) - unitRank(y[0]) || (x[0] < y[0] ? -1 : 1));
}
