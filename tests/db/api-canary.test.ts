/**
 * Invariant 1, tried for real: a unique string sent in every place a client
 * could put content must end up nowhere: in no table, no log line of the app,
 * no line of PostgreSQL's server log, no error body.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRows, type Db } from "@/lib/db";
import { closeCacheListener } from "@/lib/db/listen";
import { testDbKind, withFreshDatabase } from "../helpers/db";
import { api, makeEvent, makeOrg, makeToken } from "../helpers/api";
import { log } from "@/lib/log";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

const CANARY = `cnry${crypto.randomBytes(8).toString("hex")}`;
const PG_LOG_DIR = process.env.PG_LOG_DIR ?? "/var/log/postgresql";

let db: Db;
let orgId: string;
let token: string;
let allScopes: string;
const logged: string[] = [];
const pgLogOffsets = new Map<string, number>();

function pgLogFiles(): string[] {
  return fs
    .readdirSync(PG_LOG_DIR)
    .filter((f) => /\.(log|csv|json)$/.test(f))
    .map((f) => path.join(PG_LOG_DIR, f));
}

beforeAll(async () => {
  db = fresh.handle().db;
  orgId = await makeOrg(db);
  token = (await makeToken(db, ["usage:write"])).token;
  allScopes = (await makeToken(db, ["usage:write", "policy:read", "moderation:write"])).token;
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
  // The app's logger (lib/log.ts, pino) writes to stdout itself, at every level (LOG_LEVEL is raised to trace here).
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  log.level = "trace";
  if (testDbKind === "postgres") for (const f of pgLogFiles()) pgLogOffsets.set(f, fs.statSync(f).size);
});

describe(`canary on ${testDbKind}`, () => {
  const bodies: string[] = [];
  const call = async (...args: Parameters<typeof api>) => {
    const res = await api(...args);
    bodies.push(`${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${await res.text()}`);
    return res;
  };

  it("sends the canary in an unknown field and in every known string field, in every endpoint", async () => {
    const valid = makeEvent(orgId);
    const everyField = {
      id: CANARY,
      orgId: CANARY,
      occurredAt: CANARY,
      product: CANARY,
      model: CANARY,
      inputUnits: CANARY,
      outputUnits: CANARY,
      status: CANARY,
      latencyMs: CANARY,
      apiKeyId: CANARY,
      zeroRetention: CANARY,
      prompt: CANARY,
    };
    const statuses = [];
    // One event with the canary everywhere; one valid event with only an unknown field; one whose only fault is the unknown field.
    statuses.push((await call("POST", "/api/v1/usage/events", { token, body: { events: [valid, everyField] } })).status);
    statuses.push((await call("POST", "/api/v1/usage/events", { token, body: { events: [{ ...makeEvent(orgId), transcript: CANARY }] } })).status);
    statuses.push(
      (await call("POST", "/api/v1/usage/events", { token, body: { events: [{ ...makeEvent(orgId, { model: CANARY, apiKeyId: CANARY }), text: CANARY }] } }))
        .status,
    );
    // The canary at the top level, in a body that is not JSON, in a body that is too large.
    statuses.push((await call("POST", "/api/v1/usage/events", { token, body: { events: [valid], audio: CANARY } })).status);
    statuses.push((await call("POST", "/api/v1/usage/events", { token, rawBody: `{"events": [${CANARY}` })).status);
    statuses.push((await call("POST", "/api/v1/usage/events", { token, rawBody: `{"events":[],"x":"${CANARY}${"a".repeat(2_200_000)}"}` })).status);
    // A time in the future and an unknown org, with the canary in an unknown field as well.
    statuses.push(
      (
        await call("POST", "/api/v1/usage/events", {
          token,
          body: { events: [{ ...makeEvent(crypto.randomUUID(), { occurredAt: new Date(Date.now() + 86_400_000).toISOString() }), output: CANARY }] },
        })
      ).status,
    );
    // The other endpoints.
    statuses.push((await call("GET", `/api/v1/orgs/${CANARY}/retention-policy`, { token: allScopes })).status);
    statuses.push(
      (
        await call("POST", "/api/v1/moderation/flags", {
          token: allScopes,
          body: { orgId, category: CANARY, severity: CANARY, restrict: false, excerpt: CANARY },
        })
      ).status,
    );
    statuses.push((await call("POST", "/api/v1/usage/events", { token: `zdr_st_${CANARY}`, body: { events: [valid] } })).status);
    statuses.push((await call("POST", "/api/v1/usage/events", { token: CANARY, body: { events: [valid] } })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 413, 400, 400, 400, 401, 401]);
  });

  it("the canary is in no error body or header", () => {
    expect(bodies.length).toBe(11);
    for (const b of bodies) expect(b).not.toContain(CANARY);
    // A failed batch still names the offending fields by path.
    expect(bodies[0]).toContain("$.events[1].prompt");
  });

  it("the canary is in no table", async () => {
    const tables = await queryRows<{ t: string }>(
      db,
      sql`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(10);
    let rows = 0;
    for (const { t } of tables) {
      const dump = await queryRows<{ r: string }>(db, sql`select row_to_json(x)::text as r from ${sql.identifier(t)} x`);
      rows += dump.length;
      for (const { r } of dump) expect(r, `table ${t}`).not.toContain(CANARY);
    }
    // The dump is not empty: the org, tokens and audit entries are there.
    expect(rows).toBeGreaterThan(3);
  });

  it("the canary is in no app log line", () => {
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).not.toContain(CANARY);
    expect(logged.some((l) => /\[api\] request refused.*route=\/api\/v1\/usage\/events status=400 code=invalid/.test(l))).toBe(true);
  });

  it.runIf(testDbKind === "postgres")("the canary is in no line of PostgreSQL's server log (which must be readable)", async () => {
    const files = pgLogFiles();
    expect(files.length, `no log file in ${PG_LOG_DIR}`).toBeGreaterThan(0);
    // Make sure the server wrote something during the test, so a log we cannot see does not pass silently.
    await db.execute(sql`do $$ begin raise log 'zdr canary test marker'; end $$`).catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    let read = 0;
    for (const f of files) {
      const start = pgLogOffsets.get(f) ?? 0;
      const text = fs.readFileSync(f).subarray(start).toString("utf8");
      read += text.length;
      expect(text, f).not.toContain(CANARY);
    }
    expect(read).toBeGreaterThan(0);
  });
});
