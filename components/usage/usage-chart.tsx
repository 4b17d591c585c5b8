"use client";

import { useId, useState } from "react";
import { Bar, CartesianGrid, Cell, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { UnitColumn, UnitTotals } from "@/lib/usage/units";

export type ChartPoint = { label: string; requests: number; units: UnitTotals; inProgress: boolean };

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const full = new Intl.NumberFormat("en-US");
const BAR = "#2f6fde";

/**
 * Requests as bars (left axis) and, on the right axis, one amount in one unit
 * (input tokens, output seconds of audio …) chosen by the reader: products count
 * in different units, so their amounts never share an axis. The bucket still in
 * progress is drawn hatched (bar) and dashed (line): its numbers are partial.
 */
export default function UsageChart({ points, amounts }: { points: ChartPoint[]; amounts: UnitColumn[] }) {
  const [chosen, setChosen] = useState(amounts[0]?.id ?? "");
  const amount = amounts.find((a) => a.id === chosen) ?? null;
  const hatch = `partial-${useId().replace(/:/g, "")}`;
  const last = points.length - 1;
  const data = points.map((p, i) => {
    const v = amount ? (p.units[amount.side][amount.unit] ?? 0) : null;
    return {
      ...p,
      // The complete buckets as a solid line, the segment into the bucket in progress dashed.
      amountDone: p.inProgress ? null : v,
      amountLive: points[last]?.inProgress && i >= last - 1 ? v : null,
    };
  });
  return (
    <div className="flex h-full flex-col">
      {amounts.length > 0 ? (
        <label className="mb-2 flex items-center gap-2 self-end text-xs text-slate-700 dark:text-slate-300">
          Line
          <select
            value={chosen}
            onChange={(e) => setChosen(e.target.value)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
          >
            {amounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
            <option value="">No line</option>
          </select>
        </label>
      ) : null}
      <div className="min-h-0 flex-1">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <defs>
              <pattern id={hatch} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" fill={BAR} fillOpacity={0.25} />
                <line x1="0" y1="0" x2="0" y2="6" stroke={BAR} strokeWidth="3" />
              </pattern>
            </defs>
            <CartesianGrid stroke="currentColor" strokeOpacity={0.1} vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12, fill: "currentColor" }} tickLine={false} axisLine={false} minTickGap={24} />
            <YAxis
              yAxisId="requests"
              tick={{ fontSize: 12, fill: "currentColor" }}
              tickFormatter={(v: number) => compact.format(v)}
              tickLine={false}
              axisLine={false}
              width={48}
            />
            {amount ? (
              <YAxis
                yAxisId="amount"
                orientation="right"
                tick={{ fontSize: 12, fill: "currentColor" }}
                tickFormatter={(v: number) => compact.format(v)}
                tickLine={false}
                axisLine={false}
                width={48}
              />
            ) : null}
            <Tooltip
              formatter={(v, name) => [v === null || v === undefined ? "–" : full.format(Number(v)), name]}
              contentStyle={{ borderRadius: 8, fontSize: 12 }}
              cursor={{ fill: "currentColor", fillOpacity: 0.05 }}
            />
            {/* Legend text in the page's own colour: series colours on white fail contrast. */}
            <Legend wrapperStyle={{ fontSize: 12 }} formatter={(value: string) => <span className="text-slate-700 dark:text-slate-300">{value}</span>} />
            <Bar yAxisId="requests" dataKey="requests" name="Requests" fill={BAR} radius={[3, 3, 0, 0]} maxBarSize={28} isAnimationActive={false}>
              {data.map((p, i) => (
                <Cell key={i} fill={p.inProgress ? `url(#${hatch})` : BAR} />
              ))}
            </Bar>
            {amount ? (
              <Line
                yAxisId="amount"
                type="monotone"
                dataKey="amountDone"
                name={amount.label}
                stroke="#0f9f6e"
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            ) : null}
            {amount && points[last]?.inProgress ? (
              <Line
                yAxisId="amount"
                type="monotone"
                dataKey="amountLive"
                name={`${amount.label} (in progress)`}
                legendType="none"
                stroke="#0f9f6e"
                strokeWidth={2}
                strokeDasharray="4 3"
                dot={false}
                isAnimationActive={false}
              />
            ) : null}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
