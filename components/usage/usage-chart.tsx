"use client";

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type ChartPoint = { label: string; requests: number; inputUnits: number; outputUnits: number };

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const full = new Intl.NumberFormat("en-US");

/** Requests as bars (left axis) and units as lines (right axis): two scales that differ by orders of magnitude. */
export default function UsageChart({ points }: { points: ChartPoint[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
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
        <YAxis
          yAxisId="units"
          orientation="right"
          tick={{ fontSize: 12, fill: "currentColor" }}
          tickFormatter={(v: number) => compact.format(v)}
          tickLine={false}
          axisLine={false}
          width={48}
        />
        <Tooltip
          formatter={(v) => full.format(Number(v))}
          contentStyle={{ borderRadius: 8, fontSize: 12 }}
          cursor={{ fill: "currentColor", fillOpacity: 0.05 }}
        />
        {/* Legend text in the page's own colour: series colours on white fail contrast. */}
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={(value: string) => <span className="text-slate-700 dark:text-slate-300">{value}</span>} />
        <Bar yAxisId="requests" dataKey="requests" name="Requests" fill="#2f6fde" radius={[3, 3, 0, 0]} maxBarSize={28} isAnimationActive={false} />
        <Line yAxisId="units" type="monotone" dataKey="inputUnits" name="Input units" stroke="#0f9f6e" strokeWidth={2} dot={false} isAnimationActive={false} />
        <Line
          yAxisId="units"
          type="monotone"
          dataKey="outputUnits"
          name="Output units"
          stroke="#c2410c"
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
      </ComposedChart>
    </ResponsiveContainer>
  );
}
