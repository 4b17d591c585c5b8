import type { CoverageRow } from "@/lib/retention/coverage";
import { Badge } from "@/components/ui/badge";
import { formatDateTime, formatInt } from "@/components/ui/format";

const OPENED_BY: Record<string, string> = {
  "zdr.requested": "ZDR requested",
  "zdr.request_withdrawn": "ZDR request withdrawn",
  "zdr.enabled": "ZDR enabled",
  "zdr.disabled": "ZDR disabled",
  "zdr.request_declined": "Request declined",
  "zdr.restricted": "ZDR restricted",
  "zdr.restriction_lifted": "Restriction lifted",
};

/** When ZDR was honoured and when not, newest first, with the requests served without it in each interval. */
export function CoverageTable({ intervals, timeZone }: { intervals: CoverageRow[]; timeZone: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="stack-table w-full text-sm" data-testid="zdr-coverage">
        <caption className="sr-only">ZDR coverage, newest first</caption>
        <thead>
          <tr className="border-b border-slate-100 text-left text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <th scope="col" className="px-5 py-2 font-medium">
              From
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Until
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              ZDR
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Began with
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Requests
            </th>
            <th scope="col" className="px-5 py-2 text-right font-medium">
              Served without ZDR
            </th>
          </tr>
        </thead>
        <tbody>
          {intervals.map((i) => (
            <tr
              key={i.openedBy.orgSeq}
              data-honoured={i.honoured ? "true" : "false"}
              className="border-b border-slate-50 align-top last:border-0 dark:border-slate-800/60"
            >
              <td data-label="From" className="whitespace-nowrap px-5 py-2">
                {formatDateTime(i.from, timeZone)}
              </td>
              <td data-label="Until" className="whitespace-nowrap px-3 py-2">
                {i.to ? formatDateTime(i.to, timeZone) : "now"}
              </td>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                {i.honoured ? <Badge tone="success">Honoured</Badge> : <Badge tone="warning">Not honoured</Badge>}
              </th>
              <td data-label="Began with" className="px-3 py-2">
                {OPENED_BY[i.openedBy.action] ?? i.openedBy.action}
              </td>
              <td data-label="Requests" className="px-3 py-2 text-right tabular-nums">
                {formatInt(i.requests)}
              </td>
              <td data-label="Served without ZDR" className="px-5 py-2 text-right tabular-nums" data-testid="without-zdr">
                {formatInt(i.withoutZdr)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
