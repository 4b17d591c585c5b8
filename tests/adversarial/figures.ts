/**
 * The figures each adversarial file measures, appended to one JSON-lines file
 * that the global teardown turns into the printed summary table (and, on a
 * full run, reports/adversarial.md).
 */
import fs from "node:fs";
import path from "node:path";

export const FIGURES_FILE = path.resolve(".data/adversarial/figures.jsonl");
/** `npm run test:adversarial` is the full run; inside `npm test` the counts are scaled down. */
export const FULL = process.env.ADVERSARIAL_FULL === "1";
export const scale = (full: number, quick: number) => (FULL ? full : quick);

export type Figure = {
  section: string;
  name: string;
  value: number | string;
  /** What a pass looks like, e.g. "0"; empty for a measurement without a goal. */
  goal?: string;
};

export function record(section: string, name: string, value: number | string, goal?: string): void {
  fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
  fs.appendFileSync(FIGURES_FILE, JSON.stringify({ section, name, value, goal } satisfies Figure) + "\n");
}
