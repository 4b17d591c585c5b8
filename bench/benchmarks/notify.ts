/**
 * Restriction → email accepted by a real SMTP server (see bench/notify.ts).
 * It runs on a database of its own beside the run's: the app that other
 * benchmarks start has its own outbox worker, which would otherwise deliver
 * (and so steal) these messages.
 */
import { runNotifyBench } from "../notify";
import type { Benchmark } from "../lib/types";

export const benchmark: Benchmark = {
  name: "notify",
  description: "restriction committed -> every admin's email accepted by an SMTP server (smtp-server in process)",
  async run(ctx) {
    const n = ctx.quick ? 20 : 100;
    const r = await runNotifyBench({ n, postgresUrl: ctx.url });
    ctx.log(`notify: p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms over ${n} restrictions`);
    return [
      {
        benchmark: "notify",
        variant: "restriction -> email accepted (SMTP)",
        data: `${r.restrictions} sequential restrictions, ${r.adminsPerOrg} admin(s) each`,
        rate: Math.round((1000 / r.meanMs) * 10) / 10,
        unit: "restrictions/s",
        p50Ms: r.p50Ms,
        note: `p95 ${r.p95Ms} ms, max ${r.maxMs} ms (goal p95 < 5000 ms); commit p50 ${r.commitP50Ms} ms`,
      },
    ];
  },
};
