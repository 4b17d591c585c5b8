/**
 * The contract of `npm run bench`: each file in bench/benchmarks/ exports a
 * `benchmark`; the runner gives it a context (a fresh PostgreSQL database, the
 * app over HTTP on demand) and prints and saves the rows it returns.
 */
import type { DbHandle } from "@/lib/db";

export type BenchRow = {
  benchmark: string;
  variant: string;
  /** What was measured on: rows, orgs, table sizes. */
  data: string;
  /** Operations per second, with its unit (events/s, rows/s, req/s, tps). */
  rate: number;
  unit: string;
  p50Ms?: number;
  p99Ms?: number;
  /** A goal or a comparison, e.g. "1.12x plain INSERT (goal >= 1.0x)". */
  note?: string;
};

export type BenchContext = {
  /** URL of the fresh database this run created (dropped at the end). */
  url: string;
  /** The bench process's own handle on it (migrated). */
  handle: DbHandle;
  /** Starts the production server (server.ts) on the bench database once; its base URL. */
  app(): Promise<string>;
  /** Scales data sizes down for a quick run (BENCH_QUICK=1). */
  quick: boolean;
  log(line: string): void;
};

export type Benchmark = {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
};
