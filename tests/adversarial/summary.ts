/**
 * Global setup of the adversarial project: clears the figures before the run
 * and prints them as one table after it. A full run also writes the table to
 * reports/adversarial.md.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FIGURES_FILE, FULL, type Figure } from "./figures";

const SECTION_ORDER = ["access", "tenant walls", "cross-site", "canaries", "bad input", "fail closed", "crashes", "load"];

export function setup(): void {
  fs.rmSync(FIGURES_FILE, { force: true });
}

export function teardown(): void {
  if (!fs.existsSync(FIGURES_FILE)) return;
  const figures = fs
    .readFileSync(FIGURES_FILE, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Figure);
  const rank = (s: string) => SECTION_ORDER.indexOf(s) + 1 || 99;
  figures.sort((a, b) => rank(a.section) - rank(b.section));
  const rows = figures.map((f) => {
    const met = f.goal === undefined ? "" : meets(f.value, f.goal) ? "yes" : "**NO**";
    return `| ${f.section} | ${f.name} | ${f.value} | ${f.goal ?? ""} | ${met} |`;
  });
  const table = ["| area | figure | value | goal | met |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
  const failed = figures.filter((f) => f.goal !== undefined && !meets(f.value, f.goal)).length;
  const head = `Adversarial suite, ${FULL ? "full run" : "scaled-down run (inside npm test)"}: ${new Date().toISOString()}, ${os.cpus().length} cores, Node ${process.version}`;
  console.log(`\n${head}\n\n${table}\n\n${failed} figure(s) miss their goal.\n`);
  if (FULL) {
    const out = path.resolve("reports/adversarial.md");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      `# Adversarial suite: last full run\n\n${head}. Produced by \`npm run test:adversarial\` (tests/adversarial/).\n\n${table}\n\n${failed} figure(s) miss their goal.\n`,
    );
  }
}

/** Goals are "0", ">= N" or "<= N". */
function meets(value: number | string, goal: string): boolean {
  const v = Number(value);
  const m = /^(>=|<=)?\s*(\d+(?:\.\d+)?)$/.exec(goal.trim());
  if (!m || Number.isNaN(v)) return String(value) === goal;
  const n = Number(m[2]);
  return m[1] === ">=" ? v >= n : m[1] === "<=" ? v <= n : v === n;
}
