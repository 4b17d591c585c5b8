import type { BreakdownRow } from "@/lib/usage/queries";
import { formatInt, formatPercent, formatUnitAmounts } from "@/components/ui/format";
import { LatencyBound } from "./latency-bound";

/** One row per product, model, key or project; amounts per unit (a key used for LLM and TTS shows tokens and characters apart). */
export function BreakdownTable({ rows, nameHeader, caption }: { rows: BreakdownRow[]; nameHeader: string; caption: string }) {
  return (
    // Scrolls sideways if a wide screen is still too narrow; below 48rem the rows stack (stack-table).
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={caption}>
      <table className="stack-table w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-100 text-left text-xs font-medium text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <th scope="col" className="px-5 py-2 font-medium">
              {nameHeader}
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Requests
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Share
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Input
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Output
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Error rate
            </th>
            <th scope="col" className="px-5 py-2 text-right font-medium">
              p95
            </th>
          </tr>
        </thead>
        <tbody className="tabular-nums">
          {rows.map((r) => (
            <tr key={r.key} className="border-b border-slate-50 last:border-0 dark:border-slate-800/60">
              <th scope="row" className="max-w-56 truncate px-5 py-2 text-left font-medium text-slate-900 dark:text-slate-100">
                {r.label}
              </th>
              <td data-label="Requests" className="px-3 py-2 text-right">
                {formatInt(r.requests)}
              </td>
              <td data-label="Share" className="px-3 py-2">
                <div className="flex items-center gap-2">
                  <div className="h-1.5 w-20 rounded-full bg-slate-100 dark:bg-slate-800" aria-hidden="true">
                    <div className="h-1.5 rounded-full bg-brand-500" style={{ width: `${Math.max(1, Math.round(r.share * 100))}%` }} />
                  </div>
                  <span className="text-xs text-slate-600 dark:text-slate-400">{formatPercent(r.share)}</span>
                </div>
              </td>
              <td data-label="Input" className="px-3 py-2 text-right">
                {formatUnitAmounts(r.units.input)}
              </td>
              <td data-label="Output" className="px-3 py-2 text-right">
                {formatUnitAmounts(r.units.output)}
              </td>
              <td data-label="Error rate" className="px-3 py-2 text-right">
                {formatPercent(r.errorRate, 2)}
              </td>
              <td data-label="p95" className="px-5 py-2 text-right">
                <LatencyBound ms={r.p95Ms} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
