/**
 * What the /usage widgets print: amounts per unit (never one mixed number),
 * "—" against a previous period with too little usage, percentiles as "≤",
 * and tables that stack on a phone (stack-table, a data-label per cell).
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { TotalsCards } from "@/components/usage/totals-cards";
import { BreakdownTable } from "@/components/usage/breakdown-table";
import { changesOf } from "@/lib/usage/compare";
import type { BreakdownRow, UsageTotals } from "@/lib/usage/queries";

const current: UsageTotals = {
  requests: 60_348,
  errors: 60,
  inputUnits: 1_545_100,
  outputUnits: 0,
  units: { input: { tokens: 1_200_000, characters: 340_000, "seconds of audio": 5_100 }, output: { tokens: 90_000 } },
  errorRate: 0.001,
  p50Ms: 300,
  p95Ms: 7500,
};
const nearEmpty: UsageTotals = { ...current, requests: 1, errors: 0, units: { input: { tokens: 10 }, output: {} }, errorRate: 0, p50Ms: 100, p95Ms: 100 };
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("usage totals cards", () => {
  const html = renderToStaticMarkup(
    createElement(TotalsCards, { current, previous: nearEmpty, change: changesOf(current, nearEmpty), periodLabel: "previous 30 days" }),
  );

  it("never prints a percentage against a near-empty previous period; says why instead", () => {
    expect(html).not.toMatch(/\d%\s*vs/);
    expect(html).toContain("— vs previous 30 days");
    expect(html).toContain("The previous period had too little usage to compare");
  });

  it("lists input per unit and never their sum", () => {
    expect(text(html)).toContain("1.2M tokens");
    expect(text(html)).toContain("340K characters");
    expect(text(html)).toContain("5.1K seconds of audio");
    expect(text(html)).not.toContain("1,545,100");
    expect(text(html)).not.toContain("1.5M");
  });

  it("prints percentiles as bounds, spoken as 'at most'", () => {
    expect(html).toContain("≤ 7.5 s");
    expect(html).toContain("at most 7.5 seconds");
  });

  it("shows a change once the previous period is comparable", () => {
    const previous = { ...current, requests: 40_000 };
    const h = renderToStaticMarkup(createElement(TotalsCards, { current, previous, change: changesOf(current, previous), periodLabel: "previous 30 days" }));
    expect(text(h)).toContain("+50.9% vs previous 30 days");
  });
});

describe("usage breakdown table", () => {
  const row: BreakdownRow = {
    key: "key_1",
    label: "key_1",
    requests: 10,
    errors: 0,
    inputUnits: 1300,
    outputUnits: 20,
    units: { input: { tokens: 1000, characters: 300 }, output: { "seconds of audio": 20 } },
    errorRate: 0,
    p95Ms: 1000,
    share: 1,
  };
  const html = renderToStaticMarkup(createElement(BreakdownTable, { rows: [row], nameHeader: "API key", caption: "Usage by api key" }));

  it("stacks at 390 px: stack-table, every cell labelled", () => {
    expect(html).toContain('class="stack-table');
    const cells = html.match(/<td[^>]*>/g)!;
    expect(cells.length).toBe(6);
    for (const td of cells) expect(td).toMatch(/data-label="[^"]+"/);
  });

  it("shows a key's amounts per unit", () => {
    expect(text(html)).toContain("1K tokens · 300 characters");
    expect(text(html)).toContain("20 seconds of audio");
    expect(text(html)).not.toContain("1,300");
    expect(html).toContain("≤ 1 s");
  });
});
