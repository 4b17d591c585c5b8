"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";
import type { ChartPoint } from "./usage-chart";

// Recharts (~100 KB gzip) loads after the page is interactive, so it stays out of /usage's first-load JS.
const UsageChart = dynamic(() => import("./usage-chart"), { ssr: false, loading: () => <Skeleton className="h-full w-full" /> });

export function LazyUsageChart({ points, description }: { points: ChartPoint[]; description: string }) {
  return (
    <figure className="h-72 w-full text-slate-500 dark:text-slate-400" aria-label={description}>
      <UsageChart points={points} />
    </figure>
  );
}
