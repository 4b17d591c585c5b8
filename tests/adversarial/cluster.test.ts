/**
 * PostgreSQL itself failing, on a private cluster this file starts with
 * initdb on a port of its own (the machine's shared server is never touched):
 * a restart in the middle of ingest (every acknowledged event counted exactly
 * once afterwards), and the database stopped under the retention-policy API
 * (every lookup an error, none "retention allowed", even with warm caches),
 * and restarts under ingest and dashboard load against server.ts itself (the
 * process stays up, readiness goes false then true, nothing acknowledged lost).
 */
import crypto from "node:crypto";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { adminSql } from "@/lib/db/admin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as policyRoute } from "@/app/api/v1/orgs/[orgId]/retention-policy/route";
import { openPostgres, setDbHandle, type DbHandle } from "@/lib/db";
import { cacheListener, closeCacheListener } from "@/lib/db/listen";
import { migrateDatabase } from "@/lib/db/migrate";
import { memberships, retentionStates, users } from "@/lib/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { signInCookie, startAppServer } from "../helpers/app-server";
import { makeOrg, makeToken } from "../helpers/api";
import { ackedIds, startChild } from "./child";
import { countCheck } from "./crash-checks";
import { record, scale } from "./figures";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";
const PORT = 55_400 + Math.floor(Math.random() * 500);
let dir: string;
let url: string;
let handle: DbHandle;

const asPostgres = (cmd: string, args: string[]) =>
  (process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", `${BIN}/${cmd}`, ...args]] : [`${BIN}/${cmd}`, args]) as [string, string[]];
async function pgCtl(...args: string[]) {
  const [cmd, a] = asPostgres("pg_ctl", ["-D", path.join(dir, "data"), "-w", ...args]);
  await run(cmd, a, { timeout: 60_000 });
}
const startArgs = () => ["-l", path.join(dir, "server.log"), "-o", `-p ${PORT} -k ${dir} -c listen_addresses=127.0.0.1`, "start"];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-private-pg-"));
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres:postgres", dir]);
  const [cmd, a] = asPostgres("initdb", ["-D", path.join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]);
  execFileSync(cmd, a, { stdio: "ignore" });
  await pgCtl(...startArgs());
  await adminSql(`postgres://postgres@127.0.0.1:${PORT}/postgres`, "create database zdr");
  url = `postgres://postgres@127.0.0.1:${PORT}/zdr`;
  // The change listener finds its database by the handle's url (the app's own handle uses DATABASE_URL).
  handle = openPostgres(url, { max: 5 });
  await migrateDatabase(handle);
  setDbHandle(handle);
}, 120_000);

afterAll(async () => {
  setDbHandle(undefined);
  await closeCacheListener();
  await handle?.close().catch(() => {});
  await pgCtl("-m", "immediate", "stop").catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("PostgreSQL failing under the app (private cluster)", () => {
  it("restarts in the middle of ingest: every acknowledged event counted exactly once", async () => {
    const restarts = scale(3, 1);
    const orgId = await makeOrg(handle.db);
    const token = (await makeToken(handle.db, ["usage:write"])).token;
    const child = startChild("tests/adversarial/ingest-child.ts", [], { DATABASE_URL: url, TOKEN: token, ORG_ID: orgId, BASE_MS: String(Date.now()) });
    await child.waitForLine(/^ack /m);
    const restartMs: number[] = [];
    for (let i = 0; i < restarts; i++) {
      await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
      const t0 = Date.now();
      await pgCtl("-m", "fast", "stop");
      await new Promise((r) => setTimeout(r, 300));
      await pgCtl(...startArgs());
      restartMs.push(Date.now() - t0);
      // The app must come back by itself: acknowledgements resume.
      const before = ackedIds(child.lines()).length;
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 30_000;
        const poll = setInterval(() => {
          const resumed = ackedIds(child.lines()).length > before;
          if (!resumed && Date.now() <= deadline) return;
          clearInterval(poll);
          if (resumed) resolve();
          else reject(new Error(`no ingest after the restart:\n${child.lines().slice(-5).join("\n")}`));
        }, 100);
      });
    }
    await new Promise((r) => setTimeout(r, 500));
    child.proc.kill("SIGKILL");
    await child.exited;
    const statuses = child
      .lines()
      .filter((l) => l.startsWith("status "))
      .map((l) => Number(l.split(" ")[1]));
    const acked = new Set(ackedIds(child.lines()));
    const c = await countCheck(handle.db, orgId, acked);
    record("crashes", "PostgreSQL restarts mid-ingest (private cluster, initdb on its own port)", restarts, `>= ${scale(3, 1)}`);
    record("crashes", "PostgreSQL restart: events acknowledged", acked.size);
    record("crashes", "PostgreSQL restart: acknowledged events lost", c.lost, "0");
    record("crashes", "PostgreSQL restart: events double-counted", c.doubleCounted + c.missingFromRollups, "0");
    record(
      "crashes",
      "PostgreSQL restart: refused batches while down (503 / other)",
      `${statuses.filter((s) => s === 503).length} / ${statuses.filter((s) => s !== 503).length}`,
    );
    record("crashes", "PostgreSQL restart: answers during the outage other than 503", statuses.filter((s) => s !== 503).length, "0");
    console.info(
      `[pg restart] restart took ${restartMs.join(", ")} ms; statuses while down: ${JSON.stringify(statuses.reduce<Record<number, number>>((a, s) => ((a[s] = (a[s] ?? 0) + 1), a), {}))}`,
    );
    expect(c).toMatchObject({ lost: 0, doubleCounted: 0, missingFromRollups: 0 });
    expect(statuses.filter((s) => s !== 503)).toEqual([]);
  });

  it("3 PostgreSQL restarts under ingest and dashboard load against server.ts: up, ready false then true, 0 acknowledged events lost", async () => {
    const restarts = 3;
    const orgId = await makeOrg(handle.db);
    const token = (await makeToken(handle.db, ["usage:write", "policy:read"])).token;
    const email = `admin-${crypto.randomBytes(4).toString("hex")}@restart.example`;
    const [user] = await handle.db
      .insert(users)
      .values({ email, name: "Restart admin", passwordHash: await hashPassword("restart-password-1") })
      .returning({ id: users.id });
    await handle.db.insert(memberships).values({ orgId, userId: user.id, role: "admin" });
    const app = await startAppServer({ port: 3181, env: { DATABASE_URL: url } });
    const cookie = await signInCookie(app.base, email, "restart-password-1");
    const baseMs = Date.now();
    const acked = new Set<string>();
    const ingestStatuses: Record<string, number> = {};
    const pageStatuses: Record<string, number> = {};
    const readySeen: boolean[] = [];
    let running = true;
    const count = (m: Record<string, number>, k: string | number) => (m[k] = (m[k] ?? 0) + 1);
    const event = (id: string, i: number) => ({
      id,
      orgId,
      occurredAt: new Date(baseMs - (i % 1000) * 60_000).toISOString(),
      product: "llm",
      model: "m",
      inputUnits: 10,
      outputUnits: 5,
      status: "ok",
      latencyMs: 100,
      apiKeyId: "key_1",
      zeroRetention: true,
    });
    const ingest = async () => {
      let n = 0;
      while (running) {
        const ids = Array.from({ length: 1 + Math.floor(Math.random() * 50) }, () => crypto.randomUUID());
        for (;;) {
          const res = await fetch(`${app.base}/api/v1/usage/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ events: ids.map((id) => event(id, n++)) }),
          }).catch(() => null);
          count(ingestStatuses, res?.status ?? "error");
          if (res?.status === 200) {
            await res.text();
            for (const id of ids) acked.add(id);
            break;
          }
          await res?.text();
          if (!running) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const dashboard = async () => {
      while (running) {
        for (const p of ["/usage", "/retention", `/api/v1/orgs/${orgId}/retention-policy`]) {
          const headers: Record<string, string> = p.startsWith("/api") ? { authorization: `Bearer ${token}` } : { cookie };
          const res = await fetch(`${app.base}${p}`, { headers, redirect: "manual" }).catch(() => null);
          await res?.text();
          count(pageStatuses, res?.status ?? "error");
        }
      }
    };
    const readyPoll = async () => {
      while (running) {
        const res = await fetch(`${app.base}/api/health/ready`).catch(() => null);
        readySeen.push(res?.status === 200);
        await res?.text();
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const loads = [ingest(), ingest(), dashboard(), readyPoll()];
    const waitFor = async (what: string, ok: () => boolean, ms = 30_000) => {
      const deadline = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms; server output:\n${app.output().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let notReady = 0;
    try {
      await waitFor("first acknowledgement", () => acked.size > 0);
      for (let i = 0; i < restarts; i++) {
        await new Promise((r) => setTimeout(r, scale(2000, 700)));
        const seenBefore = readySeen.length;
        await pgCtl("-m", "fast", "stop");
        await waitFor("readiness false while the database is down", () => readySeen.slice(seenBefore).includes(false), 10_000);
        notReady++;
        await pgCtl(...startArgs());
        const ackedBefore = acked.size;
        const seenDown = readySeen.length;
        await waitFor("readiness true after the restart", () => readySeen.slice(seenDown).includes(true));
        await waitFor("ingest acknowledged after the restart", () => acked.size > ackedBefore);
        expect(app.proc.exitCode).toBeNull();
      }
    } finally {
      running = false;
      await Promise.all(loads);
    }
    const alive = app.proc.exitCode === null;
    const code = await app.stop();
    const c = await countCheck(handle.db, orgId, acked);
    record("crashes", "server.ts: PostgreSQL restarts under ingest and dashboard load", restarts, ">= 3");
    record("crashes", "server.ts: process still up after the restarts", alive ? "yes" : "no", "yes");
    record("crashes", "server.ts: readiness false during each outage, true after", `${notReady} / ${restarts}`, `${restarts} / ${restarts}`);
    record("crashes", "server.ts: events acknowledged during the restarts", acked.size);
    record("crashes", "server.ts: acknowledged events lost", c.lost, "0");
    record(
      "crashes",
      "server.ts: ingest answers other than 200 / 503 (a 500 tells the fleet the batch was bad)",
      Object.entries(ingestStatuses)
        .filter(([s]) => s !== "200" && s !== "503")
        .reduce((a, [, n]) => a + n, 0),
      "0",
    );
    record("crashes", "server.ts: events double-counted", c.doubleCounted + c.missingFromRollups, "0");
    // A page while the database is down says "come back in a moment" (503 + Retry-After), not "broken" (500).
    const page500s = pageStatuses["500"] ?? 0;
    record("crashes", "server.ts: dashboard answers 500 during the restarts (503 while the database is known down)", page500s, "0");
    console.info(
      `[server.ts restarts] ingest ${JSON.stringify(ingestStatuses)} dashboard ${JSON.stringify(pageStatuses)} exit ${code}\n${app
        .output()
        .split("\n")
        .filter((l) => /internal error|"level":[56]0/.test(l))
        .slice(0, 10)
        .join("\n")}`,
    );
    expect(alive).toBe(true);
    expect(notReady).toBe(restarts);
    expect(c).toMatchObject({ lost: 0, doubleCounted: 0, missingFromRollups: 0 });
    // Every ingest answer while the database was down was a refusal the fleet retries, never a 500.
    expect(Object.keys(ingestStatuses).filter((s) => s !== "200" && s !== "503")).toEqual([]);
    expect(app.output()).not.toMatch(/uncaught_exception/);
  });

  it("the database stopped: every policy lookup answers an error, none 'retention allowed', warm caches or not", async () => {
    const db = handle.db;
    const orgs = [
      await makeOrg(db, { zdr: "active" }),
      await makeOrg(db, { zdr: "off" }),
      await makeOrg(db, { zdr: "requested" }),
      await makeOrg(db, { plan: "free", zdr: "off" }),
      await makeOrg(db, { zdr: "active" }),
    ];
    await db
      .update(retentionStates)
      .set({ restriction: "restricted", restrictionReason: "automated_flag", restrictedSince: new Date() })
      .where(eq(retentionStates.orgId, orgs[4]));
    const token = (await makeToken(db, ["policy:read"])).token;
    const lookup = (orgId: string) =>
      policyRoute(new Request(`http://localhost/api/v1/orgs/${orgId}/retention-policy`, { headers: { authorization: `Bearer ${token}` } }), {
        params: Promise.resolve({ orgId }),
      });
    // Warm the token and policy caches while the listener is up.
    // The listener may still be reconnecting after the restarts of the test before.
    await cacheListener(handle).ready;
    for (let i = 0; i < 100 && !cacheListener(handle).connected(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(cacheListener(handle).connected()).toBe(true);
    for (const o of orgs) expect((await lookup(o)).status).toBe(200);

    await pgCtl("-m", "immediate", "stop");
    const rounds = scale(10, 3);
    const took: number[] = [];
    let tried = 0;
    let answered200 = 0;
    let allowed = 0;
    const statuses: Record<number, number> = {};
    for (let r = 0; r < rounds; r++) {
      for (const o of [...orgs, crypto.randomUUID()]) {
        const t0 = performance.now();
        const res = await lookup(o);
        took.push(performance.now() - t0);
        tried++;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 200) {
          answered200++;
          const body = (await res.json()) as { zdr: { honoured: boolean } };
          if (!body.zdr.honoured) allowed++;
        }
      }
    }
    await pgCtl(...startArgs());
    record("fail closed", "policy lookups with the database stopped (warm caches, 5 orgs in every state, one unknown)", tried);
    record("fail closed", "lookups answered 200 while the database was stopped", answered200, "0");
    record("fail closed", "lookups answering 'retention allowed' while the database was stopped", allowed, "0");
    took.sort((a, b) => a - b);
    record(
      "fail closed",
      "time to the error answer with the database stopped, p50 / max (ms)",
      `${took[Math.floor(took.length / 2)].toFixed(1)} / ${took.at(-1)!.toFixed(1)}`,
    );
    // The fleet waits for this answer on its hot path: fail closed must also be fail fast.
    record("fail closed", "slowest error answer with the database stopped (ms)", Math.round(took.at(-1)!), "<= 2000");
    console.info(`[fail closed] statuses: ${JSON.stringify(statuses)}; ms: ${took.map((t) => t.toFixed(0)).join(" ")}`);
    expect(allowed).toBe(0);
    expect(answered200).toBe(0);
    expect(Object.keys(statuses)).toEqual(["503"]);
    expect(took.at(-1)!).toBeLessThan(2000);
  });
});
