import { describe, expect, it } from "vitest";
import { byUnit, csvField, CSV_SECTIONS, readUsageCsv, usageCsvLines } from "@/lib/usage/csv";
import { resolveRange } from "@/lib/usage/range";
import { emptyUnits } from "@/lib/usage/units";
import type { UsageDashboard } from "@/lib/usage/queries";

describe("CSV fields", () => {
  it("defuses values a spreadsheet would run as a formula", () => {
    for (const v of ['=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)"]) expect(csvField(v).replace(/^"/, "").startsWith("'")).toBe(true);
  });

  it("quotes commas, quotes and line breaks, and leaves numbers and plain keys alone", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("key_nw_portal")).toBe("key_nw_portal");
    expect(csvField(0.25)).toBe("0.25");
    expect(csvField(null)).toBe("");
  });
});

describe("CSV layout", () => {
  const now = new Date("2026-11-23T10:20:00Z");
  const range = resolveRange({ key: "24h" }, "Europe/Berlin", now);
  const zero = { requests: 0, errors: 0, inputUnits: 0, outputUnits: 0, units: emptyUnits(), errorRate: null, p50Ms: null, p95Ms: null };
  const dash = {
    context: { orgId: "o", orgName: "Northwind, Inc.", timeZone: "Europe/Berlin", range, project: null },
    totals: {
      current: {
        ...zero,
        requests: 12,
        errors: 1,
        inputUnits: 1300,
        units: { input: { tokens: 1000, characters: 300 }, output: { "seconds of audio": 20 } },
        p95Ms: 7500,
      },
      previous: zero,
      change: { requests: null, errors: null, p50Ms: null, p95Ms: null, errorRatePoints: null },
    },
    series: range.buckets.map((b, i) => ({
      bucket: b,
      requests: i === 23 ? 12 : 0,
      errors: 0,
      inputUnits: 0,
      outputUnits: 0,
      units: i === 23 ? { input: { tokens: 1000, characters: 300 }, output: {} } : emptyUnits(),
    })),
    breakdowns: {
      product: [
        {
          key: "llm",
          label: "LLM completions",
          requests: 10,
          errors: 1,
          inputUnits: 1000,
          outputUnits: 0,
          units: { input: { tokens: 1000 }, output: {} },
          errorRate: 0.1,
          p95Ms: 7500,
          share: 10 / 12,
        },
      ],
      model: [],
      apiKey: [
        {
          key: "k1",
          label: "k1",
          requests: 12,
          errors: 1,
          inputUnits: 1300,
          outputUnits: 0,
          units: { input: { tokens: 1000, characters: 300 }, output: {} },
          errorRate: 1 / 12,
          p95Ms: 7500,
          share: 1,
        },
      ],
      project: [],
    },
  } as unknown as UsageDashboard;
  const text = [...usageCsvLines(dash)].join("");
  const csv = readUsageCsv(text);

  it("has one section per table: a title line, its own header, its rows, a blank line between", () => {
    expect(text.split("\r\n")[0]).toBe(CSV_SECTIONS.about);
    expect(text).toContain(`\r\n\r\n${CSV_SECTIONS.totals}\r\nperiod,`);
    expect([...csv.keys()]).toContain(byUnit(CSV_SECTIONS.hourly));
    expect(csv.get(CSV_SECTIONS.about)!.rows).toContainEqual(["organization", "Northwind, Inc."]);
  });

  it("labels times with the org's zone and writes them as ISO with the offset", () => {
    const hourly = csv.get(CSV_SECTIONS.hourly)!;
    expect(hourly.header).toEqual(["hour_start (Europe/Berlin)", "in_progress", "requests", "errors"]);
    expect(hourly.rows[23]).toEqual(["2026-11-23T11:00:00+01:00", "true", "12", "0"]);
    expect(hourly.rows[0][1]).toBe("false");
  });

  it("keeps each unit in its own row with a unit column, never a sum across units", () => {
    expect(csv.get(byUnit(CSV_SECTIONS.totals))!.rows).toEqual([
      ["current", "input", "1000", "tokens"],
      ["current", "input", "300", "characters"],
      ["current", "output", "20", "seconds of audio"],
    ]);
    expect(csv.get(byUnit(CSV_SECTIONS.apiKey))!.rows).toEqual([
      ["k1", "k1", "input", "1000", "tokens"],
      ["k1", "k1", "input", "300", "characters"],
    ]);
    expect(text).not.toContain("1300");
    expect(csv.get(CSV_SECTIONS.totals)!.header).toContain("p95_ms_at_most");
  });
});
