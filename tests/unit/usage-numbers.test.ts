import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { changesOf, MIN_PREVIOUS_REQUESTS, relativeChange, unitChange } from "@/lib/usage/compare";
import { TotalsCards } from "@/components/usage/totals-cards";
import { addUnits, emptyUnits, unitEntries, unitsOf } from "@/lib/usage/units";
import { LATENCY_OVERFLOW_MS, percentileFromHistogram } from "@/lib/usage/latency";
import { formatLatencyBound, formatUnitAmounts } from "@/components/ui/format";
import { isoInZone, zonedDayStart } from "@/lib/intl";
import { resolveRange } from "@/lib/usage/range";
import type { UsageTotals } from "@/lib/usage/queries";

const totals = (over: Partial<UsageTotals>): UsageTotals => ({
  requests: 0,
  errors: 0,
  inputUnits: 0,
  outputUnits: 0,
  units: emptyUnits(),
  errorRate: null,
  p50Ms: null,
  p95Ms: null,
  ...over,
});

describe("percent change against the previous period", () => {
  it("is a ratio when the previous period had enough usage", () => {
    expect(relativeChange(150, 100)).toBeCloseTo(0.5, 12);
    expect(relativeChange(50, 200)).toBeCloseTo(-0.75, 12);
  });

  it(`is null ("—") below ${MIN_PREVIOUS_REQUESTS} requests, below 1% of the current value, or against nothing`, () => {
    expect(relativeChange(60_348, 100 - 1)).toBeNull();
    expect(relativeChange(60_348, 0)).toBeNull();
    expect(relativeChange(1_000_000, 9_999)).toBeNull(); // under 1%
    expect(relativeChange(1_000_000, 10_000)).toBeCloseTo(99, 12);
    expect(relativeChange(null, 500)).toBeNull();
  });

  it("latencies and the error rate are compared only when the previous period had enough requests", () => {
    const cur = totals({ requests: 5000, errors: 50, errorRate: 0.01, p50Ms: 300, p95Ms: 1000 });
    const few = changesOf(cur, totals({ requests: 3, errors: 1, errorRate: 1 / 3, p50Ms: 100, p95Ms: 100 }));
    expect(few).toEqual({ requests: null, errors: null, p50Ms: null, p95Ms: null, errorRatePoints: null });
    const enough = changesOf(cur, totals({ requests: 1000, errors: 200, errorRate: 0.2, p50Ms: 200, p95Ms: 2000 }));
    expect(enough.requests).toBeCloseTo(4, 12);
    expect(enough.p50Ms).toBeCloseTo(0.5, 12);
    expect(enough.p95Ms).toBeCloseTo(-0.5, 12);
    expect(enough.errorRatePoints).toBeCloseTo(-0.19, 12);
    // 200 errors before, 50 now: a count of its own, against the same threshold.
    expect(enough.errors).toBeCloseTo(-0.75, 12);
  });
});

describe("changes per unit", () => {
  const enough = totals({ requests: 1000 });
  it("each unit is compared with its own amount, never with another unit's", () => {
    expect(unitChange(1_500_000, 1_000_000, enough)).toBeCloseTo(0.5, 12);
    expect(unitChange(1_500_000, undefined, enough), "a unit new in this period").toBeNull();
    expect(unitChange(1_500_000, 14_999, enough), "under 1% of the current amount").toBeNull();
    expect(unitChange(1_500_000, 1_000_000, totals({ requests: MIN_PREVIOUS_REQUESTS - 1 })), "too few requests before").toBeNull();
  });

  it("the Input card shows each unit's change on its line, and says what it is measured against", () => {
    const cur = emptyUnits();
    addUnits(cur, "llm", 2_000_000, 100);
    addUnits(cur, "text_to_speech", 50_000, 100);
    const prev = emptyUnits();
    addUnits(prev, "llm", 1_000_000, 100);
    const html = renderToStaticMarkup(
      createElement(TotalsCards, {
        current: totals({ requests: 2000, units: cur }),
        previous: totals({ requests: 1000, units: prev }),
        change: changesOf(totals({ requests: 2000 }), totals({ requests: 1000 })),
        periodLabel: "previous 30 days",
      }),
    );
    const input = html.slice(html.indexOf('data-testid="total-inputUnits"'), html.indexOf('data-testid="total-outputUnits"')).replace(/<[^>]+>/g, " ");
    expect(input).toMatch(/2M\s+tokens\s+\+100\.0%/);
    // Characters had no amount before: no percentage for that line.
    expect(input).toMatch(/50K\s+characters\s+Each unit vs previous 30 days; units are not added together/);
  });
});

describe("amounts by unit", () => {
  it("each product counts in its own unit, and units are never added together", () => {
    expect(unitsOf("llm")).toEqual({ input: "tokens", output: "tokens" });
    expect(unitsOf("text_to_speech")).toEqual({ input: "characters", output: "seconds of audio" });
    expect(unitsOf("speech_to_text")).toEqual({ input: "seconds of audio", output: "characters" });
    const u = emptyUnits();
    addUnits(u, "llm", 1_200_000, 300_000);
    addUnits(u, "text_to_speech", 340_000, 5_000);
    addUnits(u, "speech_to_text", 100, 2_000);
    addUnits(u, "voice_changer", 0, 0);
    expect(u).toEqual({
      input: { tokens: 1_200_000, characters: 340_000, "seconds of audio": 100 },
      output: { tokens: 300_000, "seconds of audio": 5_000, characters: 2_000 },
    });
    expect(unitEntries(u.input).map(([unit]) => unit)).toEqual(["tokens", "characters", "seconds of audio"]);
    expect(formatUnitAmounts(u.input)).toBe("1.2M tokens · 340K characters · 100 seconds of audio");
    expect(formatUnitAmounts({})).toBe("–");
  });
});

describe("percentiles read from histogram buckets", () => {
  it("print as at most the bucket's upper bound, on screen and to a screen reader", () => {
    expect(formatLatencyBound(7500)).toEqual({ text: "≤ 7.5 s", spoken: "at most 7.5 seconds" });
    expect(formatLatencyBound(300)).toEqual({ text: "≤ 300 ms", spoken: "at most 300 milliseconds" });
    expect(formatLatencyBound(1000)).toEqual({ text: "≤ 1 s", spoken: "at most 1 second" });
    expect(formatLatencyBound(null).text).toBe("–");
  });

  it("the last bucket has no upper bound, so it prints as at least its lower bound", () => {
    const hist = Array.from({ length: 23 }, () => 0);
    hist[22] = 10;
    expect(percentileFromHistogram(hist, 0.95)).toBe(LATENCY_OVERFLOW_MS);
    expect(formatLatencyBound(LATENCY_OVERFLOW_MS)).toEqual({ text: "≥ 60 s", spoken: "at least 60 seconds" });
    hist[22] = 0;
    hist[21] = 10; // [30 s, 60 s)
    expect(formatLatencyBound(percentileFromHistogram(hist, 0.95))).toEqual({ text: "≤ 60 s", spoken: "at most 60 seconds" });
  });
});

describe("the bucket in progress, and times in the org's zone", () => {
  it("24h ends with the current hour; a day range with today, when today is in it", () => {
    const now = new Date("2026-11-23T10:20:00Z");
    expect(resolveRange({ key: "24h" }, "Europe/Berlin", now).inProgress).toBe("2026-11-23T10:00:00.000Z");
    expect(resolveRange({ key: "7d" }, "America/New_York", now).inProgress).toBe("2026-11-23");
    expect(resolveRange({ key: "custom", from: "2026-10-01", to: "2026-10-31" }, "UTC", now).inProgress).toBeNull();
  });

  it("ISO times carry the zone's offset, across a DST change", () => {
    expect(isoInZone(new Date("2026-11-23T10:00:00Z"), "Europe/Berlin")).toBe("2026-11-23T11:00:00+01:00");
    expect(isoInZone(new Date("2026-07-01T10:00:00Z"), "America/New_York")).toBe("2026-07-01T06:00:00-04:00");
    expect(isoInZone(new Date("2026-07-01T10:00:00Z"), "UTC")).toBe("2026-07-01T10:00:00+00:00");
    expect(zonedDayStart("2026-11-01", "America/New_York").toISOString()).toBe("2026-11-01T04:00:00.000Z");
    expect(zonedDayStart("2026-11-02", "America/New_York").toISOString()).toBe("2026-11-02T05:00:00.000Z");
    expect(isoInZone(zonedDayStart("2026-03-29", "Europe/Berlin"), "Europe/Berlin")).toBe("2026-03-29T00:00:00+01:00");
    expect(isoInZone(zonedDayStart("2026-03-30", "Europe/Berlin"), "Europe/Berlin")).toBe("2026-03-30T00:00:00+02:00");
  });
});
