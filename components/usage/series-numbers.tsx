"use client";

import { useEffect, useRef, useState } from "react";
import type { UnitColumn, UnitTotals } from "@/lib/usage/units";
import { formatInt } from "@/components/ui/format";

export type SeriesRow = { bucket: string; when: string; requests: number; errors: number; units: UnitTotals; inProgress: boolean };

/**
 * The chart's numbers as a table, the accessible equivalent of the chart.
 * Rendered when opened, not with the page: 90 days of rows were a third of
 * /usage's HTML and of its render time, for a table most visits never open.
 */
/** `columns`: the amounts the rows have, one per side and unit (unitColumns, lib/usage/units.ts, on the server). */
export function SeriesNumbers({ rows, grain, columns }: { rows: SeriesRow[]; grain: "hour" | "day"; columns: UnitColumn[] }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(false);
  // Opened before the page hydrated: show the rows at once, not after a second toggle.
  useEffect(() => setOpen(ref.current?.open ?? false), []);
  return (
    <details ref={ref} className="mt-3 text-sm" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100">Show the numbers</summary>
      {open ? (
        <div className="mt-2 max-h-72 overflow-auto">
          <table className="stack-table w-full text-xs tabular-nums">
            <caption className="sr-only">Requests and amounts per unit, per {grain}</caption>
            <thead>
              <tr className="text-left text-slate-600 dark:text-slate-400">
                <th scope="col" className="py-1 font-medium">
                  {grain === "hour" ? "Hour" : "Day"}
                </th>
                <th scope="col" className="py-1 text-right font-medium">
                  Requests
                </th>
                <th scope="col" className="py-1 text-right font-medium">
                  Errors
                </th>
                {columns.map((c) => (
                  <th key={c.id} scope="col" className="py-1 pl-3 text-right font-medium">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.bucket} className="border-t border-slate-100 dark:border-slate-800">
                  <th scope="row" className="py-1 text-left font-normal">
                    {p.when}
                    {p.inProgress ? <span className="text-slate-600 dark:text-slate-400"> (in progress)</span> : null}
                  </th>
                  <td data-label="Requests" className="py-1 text-right">
                    {formatInt(p.requests)}
                  </td>
                  <td data-label="Errors" className="py-1 text-right">
                    {formatInt(p.errors)}
                  </td>
                  {columns.map((c) => (
                    <td key={c.id} data-label={c.label} className="py-1 pl-3 text-right">
                      {formatInt(p.units[c.side][c.unit] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        // Without scripts the table cannot open; the export has the same numbers.
        <p className="mt-2 text-slate-600 dark:text-slate-400">The same numbers are in the CSV export.</p>
      )}
    </details>
  );
}
