/**
 * PostgreSQL itself failing, on a private cluster this file starts with
 * initdb on a port of its own (the machine's shared server is never touched):
 * a restart in the middle of ingest (every acknowledged event counted exactly
 * once afterwards), and the database stopped under the retention-policy API
 * (every lookup an error, none "retention allowed", even with warm caches).
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
import { retentionStates } from "@/lib/db/schema";
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

const asPostgres = (cmd: string, args: string[]) => (process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", `${BIN}/${cmd}`, ...args]] : [`${BIN}/${cmd}`, args]) as [string, string[]];
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
    const statuses = child.lines().filter((l) => l.startsWith("status ")).map((l) => Number(l.split(" ")[1]));
    const acked = new Set(ackedIds(child.lines()));
    const c = await countCheck(handle.db, orgId, acked);
    record("crashes", "PostgreSQL restarts mid-ingest (private cluster, initdb on its own port)", restarts, `>= ${scale(3, 1)}`);
    record("crashes", "PostgreSQL restart: events acknowledged", acked.size);
    record("crashes", "PostgreSQL restart: acknowledged events lost", c.lost, "0");
    record("crashes", "PostgreSQL restart: events double-counted", c.doubleCounted + c.missingFromRollups, "0");
    record("crashes", "PostgreSQL restart: refused batches while down (503 / other)", `${statuses.filter((s) => s === 503).length} / ${statuses.filter((s) => s !== 503).length}`);
    record("crashes", "PostgreSQL restart: answers during the outage other than 503", statuses.filter((s) => s !== 503).length, "0");
    console.info(`[pg restart] restart took ${restartMs.join(", ")} ms; statuses while down: ${JSON.stringify(statuses.reduce<Record<number, number>>((a, s) => ((a[s] = (a[s] ?? 0) + 1), a), {}))}`);
    expect(c).toMatchObject({ lost: 0, doubleCounted: 0, missingFromRollups: 0 });
    expect(statuses.filter((s) => s !== 503)).toEqual([]);
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
    await db.update(retentionStates).set({ restriction: "restricted", restrictionReason: "automated_flag", restrictedSince: new Date() }).where(eq(retentionStates.orgId, orgs[4]));
    const token = (await makeToken(db, ["policy:read"])).token;
    const lookup = (orgId: string) =>
      policyRoute(new Request(`http://localhost/api/v1/orgs/${orgId}/retention-policy`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ orgId }) });
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
    record("fail closed", "time to the error answer with the database stopped, p50 / max (ms)", `${took[Math.floor(took.length / 2)].toFixed(1)} / ${took.at(-1)!.toFixed(1)}`);
    // The fleet waits for this answer on its hot path: fail closed must also be fail fast.
    record("fail closed", "slowest error answer with the database stopped (ms)", Math.round(took.at(-1)!), "<= 2000");
    console.info(`[fail closed] statuses: ${JSON.stringify(statuses)}; ms: ${took.map((t) => t.toFixed(0)).join(" ")}`);
    expect(allowed).toBe(0);
    expect(answered200).toBe(0);
    expect(Object.keys(statuses)).toEqual(["503"]);
    expect(took.at(-1)!).toBeLessThan(2000);
  });
});
