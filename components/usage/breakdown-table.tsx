import type { BreakdownRow } from "@/lib/usage/queries";
import { formatInt, formatMs, formatPercent } from "@/components/ui/format";

export function BreakdownTable({ rows, nameHeader, caption }: { rows: BreakdownRow[]; nameHeader: string; caption: string }) {
  return (
    // Scrolls sideways on a phone: focusable and named, so a keyboard can scroll it too.
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={caption}>
      <table className="w-full text-sm">
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
              Input units
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Output units
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
              <td className="px-3 py-2 text-right">{formatInt(r.requests)}</td>
              <td className="px-3 py-2">
                <div className="flex items-center gap-2">
                  <div className="h-1.5 w-20 rounded-full bg-slate-100 dark:bg-slate-800" aria-hidden="true">
                    <div className="h-1.5 rounded-full bg-brand-500" style={{ width: `${Math.max(1, Math.round(r.share * 100))}%` }} />
                  </div>
                  <span className="text-xs text-slate-600 dark:text-slate-400">{formatPercent(r.share)}</span>
                </div>
              </td>
              <td className="px-3 py-2 text-right">{formatInt(r.inputUnits)}</td>
              <td className="px-3 py-2 text-right">{formatInt(r.outputUnits)}</td>
              <td className="px-3 py-2 text-right">{formatPercent(r.errorRate, 2)}</td>
              <td className="px-5 py-2 text-right">{formatMs(r.p95Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
