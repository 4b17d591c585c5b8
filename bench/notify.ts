/**
 * Restriction → email accepted by an SMTP server: how long an org's admins
 * wait to hear. Runs the real path: restrictOrganization commits state, audit,
 * notice and outbox, the server's outbox worker is kicked and sends through
 * nodemailer to a real SMTP server (smtp-server) in this process. The clock
 * stops when the server has accepted the email of every admin.
 *
 *   npx tsx bench/notify.ts [--n 100] [--postgres postgres://127.0.0.1:5432/test]
 *
 * Without --postgres it runs on in-memory PGlite (the embedded default);
 * with it, on a fresh database created beside that URL's and dropped after.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { adminSql } from "@/lib/db/admin";
import { openPglite, openPostgres, setDbHandle, type DbHandle } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { seedDemoWorld } from "@/lib/demo/seed";
import { organizations } from "@/lib/db/schema";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { orgAdmins } from "@/lib/notify/outbox";
import { smtpTransport } from "@/lib/notify/transport";
import { startOutboxWorker, stopOutboxWorker } from "@/lib/notify/worker";
import { startSmtpSink } from "../tests/helpers/smtp-sink";

export type NotifyBenchResult = {
  name: "restriction_to_email";
  database: string;
  restrictions: number;
  adminsPerOrg: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
  commitP50Ms: number;
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function freshPostgres(url: string): Promise<DbHandle> {
  const name = `zdr_bench_${crypto.randomBytes(4).toString("hex")}`;
  await adminSql(url, `create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const handle = openPostgres(u.toString(), { max: 5 });
  return {
    ...handle,
    async close() {
      await handle.close();
      await adminSql(url, `drop database if exists ${name} with (force)`);
    },
  };
}

export async function runNotifyBench(options: { n?: number; postgresUrl?: string } = {}): Promise<NotifyBenchResult> {
  const n = options.n ?? 100;
  const handle = options.postgresUrl ? await freshPostgres(options.postgresUrl) : openPglite(undefined);
  // Put back the caller's handle after: `npm run bench` runs the policy benchmark next, in this process.
  const previous = setDbHandle(handle);
  const sink = await startSmtpSink();
  try {
    await migrateDatabase(handle);
    await seedDemoWorld(handle.db, { usage: false });
    const db = handle.db;
    const support = (await loadUserPrincipalByEmail(db, "support@provider.example"))!;
    const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
    const admins = (await orgAdmins(db, org.id)).length;

    // Arrival time of each notice's emails, by the notice id the server sees in the header.
    const arrivals = new Map<string, number[]>();
    sink.onMessage((m) => {
      const id = m.raw.match(/^X-ZDR-Notice-Id:\s*(\S+)/im)?.[1];
      if (id) arrivals.set(id, [...(arrivals.get(id) ?? []), performance.now()]);
    });
    startOutboxWorker({ db, transport: smtpTransport(sink.url), intervalMs: 1000, from: "bench <bench@zdr-console.example>" });

    const waitAll = async (noticeId: string) => {
      const deadline = performance.now() + 30_000;
      while ((arrivals.get(noticeId)?.length ?? 0) < admins) {
        if (performance.now() > deadline) throw new Error(`emails of notice ${noticeId} not accepted within 30 s`);
        await new Promise((r) => setImmediate(r));
      }
      return Math.max(...arrivals.get(noticeId)!);
    };

    const latencies: number[] = [];
    const commits: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await restrictOrganization(support, { orgId: org.id, reason: "provider_discretion", note: `Bench restriction ${i}`, ticketRef: `BENCH-${i}` });
      commits.push(performance.now() - t0);
      latencies.push((await waitAll(r.noticeId)) - t0);
      const lifted = await liftRestriction(support, { orgId: org.id, reason: "Bench lift", ticketRef: `BENCH-${i}` });
      await waitAll(lifted.noticeId);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      name: "restriction_to_email",
      database: handle.label,
      restrictions: n,
      adminsPerOrg: admins,
      p50Ms: round(percentile(sorted, 50)),
      p95Ms: round(percentile(sorted, 95)),
      maxMs: round(sorted[sorted.length - 1]),
      meanMs: round(latencies.reduce((a, b) => a + b, 0) / n),
      commitP50Ms: round(
        percentile(
          [...commits].sort((a, b) => a - b),
          50,
        ),
      ),
    };
  } finally {
    await stopOutboxWorker();
    await sink.close();
    setDbHandle(previous);
    await handle.close();
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const result = await runNotifyBench({ n: Number(arg("n") ?? 100), postgresUrl: arg("postgres") });
  console.log(
    `restriction → email accepted by SMTP (${result.database}, ${result.restrictions} restrictions, ${result.adminsPerOrg} admin(s)): ` +
      `p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms (commit p50 ${result.commitP50Ms} ms)`,
  );
  fs.mkdirSync("bench/results", { recursive: true });
  fs.writeFileSync(path.join("bench/results", "notify.json"), JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2) + "\n");
  process.exit(0);
}
