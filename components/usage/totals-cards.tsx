import { ArrowDownRight, ArrowUpRight, Minus } from "lucide-react";
import type { UsageTotals } from "@/lib/usage/queries";
import { formatInt, formatMs, formatPercent } from "@/components/ui/format";

type Metric = { key: keyof UsageTotals; label: string; hint?: string; format: (t: UsageTotals) => string };

const METRICS: Metric[] = [
  { key: "requests", label: "Requests", format: (t) => formatInt(t.requests) },
  { key: "inputUnits", label: "Input units", hint: "tokens, characters or seconds, by product", format: (t) => formatInt(t.inputUnits) },
  { key: "outputUnits", label: "Output units", hint: "tokens, characters or seconds, by product", format: (t) => formatInt(t.outputUnits) },
  { key: "errorRate", label: "Error rate", format: (t) => formatPercent(t.errorRate, 2) },
  { key: "p50Ms", label: "Latency p50", format: (t) => formatMs(t.p50Ms) },
  { key: "p95Ms", label: "Latency p95", format: (t) => formatMs(t.p95Ms) },
];

function Change({ value, periodLabel, points }: { value: number | null; periodLabel: string; points?: boolean }) {
  if (value === null) return <span className="text-xs text-slate-600 dark:text-slate-400">No earlier data to compare</span>;
  const Icon = Math.abs(value) < 0.0005 ? Minus : value > 0 ? ArrowUpRight : ArrowDownRight;
  const sign = value > 0 ? "+" : "";
  // Neutral colour on purpose: whether more requests is good or bad is the reader's call.
  return (
    <span className="inline-flex items-center gap-0.5 text-xs text-slate-600 dark:text-slate-400">
      <Icon className="size-3.5" aria-hidden="true" />
      {sign}
      {points ? `${(value * 100).toFixed(2)} pts` : `${(value * 100).toFixed(1)}%`} vs {periodLabel}
    </span>
  );
}

export function TotalsCards({
  current,
  previous,
  change,
  periodLabel,
}: {
  current: UsageTotals;
  previous: UsageTotals;
  change: Record<keyof UsageTotals, number | null>;
  periodLabel: string;
}) {
  // A relative change of a rate reads as nonsense ("+50% of 3%"): the error rate moves in percentage points.
  const errorRatePoints = current.errorRate !== null && previous.errorRate !== null ? current.errorRate - previous.errorRate : null;
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
          <dd className="mt-1 text-xl font-semibold tabular-nums text-slate-900 dark:text-slate-50">{m.format(current)}</dd>
          <dd className="mt-1">
            {m.key === "errorRate" ? (
              <Change value={errorRatePoints} periodLabel={periodLabel} points />
            ) : (
              <Change value={change[m.key]} periodLabel={periodLabel} />
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
