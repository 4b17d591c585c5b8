import type { ReactNode } from "react";
import { ArrowDownRight, ArrowUpRight, Minus } from "lucide-react";
import type { UsageTotals } from "@/lib/usage/queries";
import { MIN_PREVIOUS_REQUESTS, previousComparable, unitChange, type Changes } from "@/lib/usage/compare";
import { unitEntries, type UnitAmounts } from "@/lib/usage/units";
import { formatCompact, formatInt, formatPercent } from "@/components/ui/format";
import { LatencyBound } from "./latency-bound";

type ChangeOf = { kind: "relative"; key: "requests" | "p50Ms" | "p95Ms" } | { kind: "points" } | { kind: "units" };
type Metric = { key: string; label: string; hint?: string; value: (t: UsageTotals, previous: UsageTotals) => ReactNode; change: ChangeOf };

const signed = (v: number) => `${v > 0 ? "+" : ""}${(v * 100).toFixed(1)}%`;

/**
 * Amounts per unit, one unit a line: each product counts in its own unit, so they are never added
 * up, and each line has its own change against the previous period (where there is enough to compare).
 */
function Units({ amounts, previous, previousTotals }: { amounts: UnitAmounts; previous: UnitAmounts; previousTotals: UsageTotals }) {
  const entries = unitEntries(amounts);
  if (entries.length === 0) return <>–</>;
  return (
    <ul className="space-y-0.5">
      {entries.map(([unit, n]) => {
        const change = unitChange(n, previous[unit], previousTotals);
        return (
          <li key={unit} title={`${formatInt(n)} ${unit}`}>
            {formatCompact(n)} <span className="text-sm font-medium text-slate-600 dark:text-slate-400">{unit}</span>
            {change !== null ? <span className="ml-1.5 text-xs font-normal text-slate-600 dark:text-slate-400">{signed(change)}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

const METRICS: Metric[] = [
  { key: "requests", label: "Requests", value: (t) => formatInt(t.requests), change: { kind: "relative", key: "requests" } },
  {
    key: "inputUnits",
    label: "Input",
    hint: "Each product counts input in its own unit: tokens, characters or seconds of audio",
    value: (t, p) => <Units amounts={t.units.input} previous={p.units.input} previousTotals={p} />,
    change: { kind: "units" },
  },
  {
    key: "outputUnits",
    label: "Output",
    hint: "Each product counts output in its own unit: tokens, characters or seconds of audio",
    value: (t, p) => <Units amounts={t.units.output} previous={p.units.output} previousTotals={p} />,
    change: { kind: "units" },
  },
  { key: "errorRate", label: "Error rate", value: (t) => formatPercent(t.errorRate, 2), change: { kind: "points" } },
  {
    key: "p50Ms",
    label: "Latency p50",
    hint: "Read from latency buckets: the median is at most this",
    value: (t) => <LatencyBound ms={t.p50Ms} />,
    change: { kind: "relative", key: "p50Ms" },
  },
  {
    key: "p95Ms",
    label: "Latency p95",
    hint: "Read from latency buckets: 95% of requests took at most this",
    value: (t) => <LatencyBound ms={t.p95Ms} />,
    change: { kind: "relative", key: "p95Ms" },
  },
];

const TOO_LITTLE = `The previous period had too little usage to compare (fewer than ${MIN_PREVIOUS_REQUESTS} requests, or under 1% of this period's)`;

/** Under the per-unit cards: what the changes on each line are measured against; units are never added together. */
function UnitsChange({ previous, periodLabel }: { previous: UsageTotals; periodLabel: string }) {
  if (!previousComparable(previous)) return <Change value={null} previous={previous} periodLabel={periodLabel} />;
  return <span className="text-xs text-slate-600 dark:text-slate-400">Each unit vs {periodLabel}; units are not added together</span>;
}

function Change({ value, previous, periodLabel, points }: { value: number | null; previous: UsageTotals; periodLabel: string; points?: boolean }) {
  if (previous.requests === 0) return <span className="text-xs text-slate-600 dark:text-slate-400">No earlier data to compare</span>;
  if (value === null) {
    // "—" rather than a percentage against a near-empty period ("+60,347%").
    return (
      <span className="text-xs text-slate-600 dark:text-slate-400" title={TOO_LITTLE}>
        <span aria-hidden="true">— vs {periodLabel}</span>
        <span className="sr-only">{`${TOO_LITTLE}.`}</span>
      </span>
    );
  }
  const Icon = Math.abs(value) < 0.0005 ? Minus : value > 0 ? ArrowUpRight : ArrowDownRight;
  // Neutral colour on purpose: whether more requests is good or bad is the reader's call.
  return (
    <span className="inline-flex items-center gap-0.5 text-xs text-slate-600 dark:text-slate-400">
      <Icon className="size-3.5" aria-hidden="true" />
      {points ? `${value > 0 ? "+" : ""}${(value * 100).toFixed(2)} pts` : signed(value)} vs {periodLabel}
    </span>
  );
}

export function TotalsCards({ current, previous, change, periodLabel }: { current: UsageTotals; previous: UsageTotals; change: Changes; periodLabel: string }) {
  return (
    <dl className="grid grid-cols-2 gap-3 md:grid-cols-3">
      {METRICS.map((m) => (
        <div
          key={m.key}
          data-testid={`total-${m.key}`}
          className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
        >
          <dt className="text-xs font-medium text-slate-600 dark:text-slate-400" title={m.hint}>
            {m.label}
          </dt>
          <dd className="mt-1 text-xl font-semibold tabular-nums text-slate-900 dark:text-slate-50">{m.value(current, previous)}</dd>
          <dd className="mt-1">
            {m.change.kind === "units" ? (
              <UnitsChange previous={previous} periodLabel={periodLabel} />
            ) : m.change.kind === "points" ? (
              // A relative change of a rate reads as nonsense ("+50% of 3%"): the error rate moves in percentage points.
              <Change value={change.errorRatePoints} previous={previous} periodLabel={periodLabel} points />
            ) : (
              <Change value={change[m.change.key]} previous={previous} periodLabel={periodLabel} />
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
