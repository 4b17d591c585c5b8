/**
 * The /usage queries of each range on one org with 10 million events
 * (BENCH_QUICK: 200,000): rollup-served time against a naive GROUP BY over the
 * raw events on the same data, growth when the raw table grows 10x, and the
 * data work of one /usage render at 8 concurrent users (see bench/usage.ts).
 * It generates into a database of its own: 10M rows would swamp the others.
 */
import { run } from "../usage";
import type { Benchmark, BenchRow } from "../lib/types";

export const benchmark: Benchmark = {
  name: "usage",
  description: "/usage queries per range: rollups vs raw GROUP BY at 10M events; render data p95 at 8 users",
  async run(ctx) {
    const events = ctx.quick ? 200_000 : Number(process.env.BENCH_USAGE_EVENTS ?? 10_000_000);
    const results = await run({ events });
    return results.map<BenchRow>((r) => ({
      benchmark: "usage",
      variant: r.name.replace(/^usage\./, ""),
      data: `${events.toLocaleString("en-US")} events, 1 org`,
      rate: r.value,
      unit: r.unit,
      note: r.note,
    }));
  },
};
