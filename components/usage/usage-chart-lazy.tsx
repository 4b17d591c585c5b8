"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";
import type { UnitColumn } from "@/lib/usage/units";
import type { ChartPoint } from "./usage-chart";

// Recharts (~100 KB gzip) loads after the page is interactive, so it stays out of /usage's first-load JS.
const UsageChart = dynamic(() => import("./usage-chart"), { ssr: false, loading: () => <Skeleton className="h-full w-full" /> });

/** `inProgressNote`: the caption saying the last bucket is still filling in, or null when the range has none. */
export function LazyUsageChart({
  points,
  amounts,
  description,
  inProgressNote,
}: {
  points: ChartPoint[];
  amounts: UnitColumn[];
  description: string;
  inProgressNote: string | null;
}) {
  return (
    <figure className="w-full" aria-label={description}>
      <div className="h-72 w-full text-slate-500 dark:text-slate-400">
        <UsageChart points={points} amounts={amounts} />
      </div>
      {inProgressNote ? <figcaption className="mt-1 text-xs text-slate-600 dark:text-slate-400">{inProgressNote}</figcaption> : null}
    </figure>
  );
}
