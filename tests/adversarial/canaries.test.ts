/**
 * Invariant 1 under fire: fast-check generates ingest bodies, valid and
 * malformed, each malformed one carrying its own canary where a careless
 * client (or an attacker) would put content: unknown fields, huge strings,
 * nested objects, odd encodings, key names, free text in identifier fields,
 * non-JSON bodies. They go to the real route handler on PostgreSQL. Then a
 * full pg_dump of the database, every app log line, PostgreSQL's server log,
 * every .eml file and every error body are searched for the canary prefix.
 */
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as ingestRoute } from "@/app/api/v1/usage/events/route";
import { POST as flagsRoute } from "@/app/api/v1/moderation/flags/route";
import type { Db } from "@/lib/db";
import { closeCacheListener } from "@/lib/db/listen";
import { setRateLimits } from "@/lib/api/rate-limit";
import { organizations } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { drainOutbox } from "@/lib/notify/worker";
import { fileTransport } from "@/lib/notify/transport";
import { makeEvent, makeToken } from "../helpers/api";
import { withFreshDatabase } from "../helpers/db";
import { record, scale } from "./figures";
import { log } from "@/lib/log";

const fresh = withFreshDatabase();
// The canary prefix: unlikely anywhere by chance; each body adds its own suffix.
const PREFIX = `qzcanary${crypto.randomBytes(3).toString("hex")}`;
const BODIES = scale(10_000, 1_000);
const PG_LOG_DIR = process.env.PG_LOG_DIR ?? "/var/log/postgresql";

let db: Db;
let url: string;
let orgId: string;
let token: string;
let mailDir: string;
const logged: string[] = [];
const pgLogOffsets = new Map<string, number>();

function pgLogFiles(): string[] {
  return fs.existsSync(PG_LOG_DIR)
    ? fs
        .readdirSync(PG_LOG_DIR)
        .filter((f) => /\.(log|csv|json)$/.test(f))
        .map((f) => path.join(PG_LOG_DIR, f))
    : [];
}

beforeAll(async () => {
  db = fresh.handle().db;
  url = (fresh.handle() as { url?: string }).url!;
  await seedDemoWorld(db, { usage: false });
  [{ id: orgId }] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
  token = (await makeToken(db, ["usage:write", "moderation:write"])).token;
  // The rate limit is not under test here; 10,000 bodies in a minute would meet it.
  setRateLimits({ ingest: { perSecond: 1e9, burst: 1e9 }, moderation: { perSecond: 1e9, burst: 1e9 } });
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-canary-mail-"));
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
  for (const f of pgLogFiles()) pgLogOffsets.set(f, fs.statSync(f).size);
});
afterAll(async () => {
  vi.restoreAllMocks();
  setRateLimits({});
  await closeCacheListener();
  fs.rmSync(mailDir, { recursive: true, force: true });
});

/** Where in a body the canary goes, and how. */
type Shape = { kind: string; raw?: string; body?: unknown; contentType?: string };

const canaryArb = fc.nat().map((n) => `${PREFIX}${n.toString(36)}`);
const contentArb = (canary: string) =>
  fc.oneof(
    fc.constant(canary),
    fc.string({ maxLength: 40 }).map((s) => `${s} ${canary} ${s}`),
    fc.constant(`Patient John Doe, DOB 1970-01-01: ${canary}`),
    fc.integer({ min: 1_000, max: 200_000 }).map((n) => `${"x".repeat(n)}${canary}`),
    fc.constant(`\u202e${canary}\u0000\ud83d\ude00`),
    fc.constant({ nested: { deeper: [{ text: canary }] } }),
    fc.integer({ min: 10, max: 200 }).map((d) => {
      let v: unknown = canary;
      for (let i = 0; i < d; i++) v = { v };
      return v;
    }),
    fc.constant([canary, canary.toUpperCase()]),
    fc.constant(Buffer.from(canary).toString("base64")),
  );

const eventFields = ["id", "orgId", "occurredAt", "product", "model", "inputUnits", "outputUnits", "status", "latencyMs", "apiKeyId", "zeroRetention"] as const;
const IDENTIFIER_FIELDS = new Set(["model", "apiKeyId"]);
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;
const contentFieldNames = ["prompt", "completion", "transcript", "text", "audio", "output", "messages", "input"];

function shapeArb(): fc.Arbitrary<Shape> {
  const valid = fc
    .integer({ min: 1, max: 20 })
    .map((n): Shape => ({ kind: "valid batch", body: { events: Array.from({ length: n }, () => makeEvent(orgId)) } }));
  const withCanary = canaryArb.chain((canary) =>
    fc.oneof(
      fc
        .tuple(fc.constantFrom(...contentFieldNames), contentArb(canary))
        .map(([k, v]): Shape => ({ kind: "unknown field in an event", body: { events: [makeEvent(orgId), { ...makeEvent(orgId), [k]: v }] } })),
      fc
        .tuple(fc.constantFrom(...contentFieldNames), contentArb(canary))
        .map(([k, v]): Shape => ({ kind: "unknown top-level field", body: { events: [makeEvent(orgId)], [k]: v } })),
      // model and apiKeyId are identifiers by design: a bare identifier-shaped word there is metadata, so only free text counts as content.
      fc
        .tuple(fc.constantFrom(...eventFields), contentArb(canary))
        .filter(([k, v]) => !(IDENTIFIER_FIELDS.has(k) && typeof v === "string" && IDENTIFIER.test(v)))
        .map(([k, v]): Shape => ({ kind: "content in a known field", body: { events: [{ ...makeEvent(orgId), [k]: v }] } })),
      fc
        .string({ maxLength: 20 })
        .map((s): Shape => ({ kind: "content as a key name", body: { events: [{ ...makeEvent(orgId), [`${s} ${canary} said`]: true }] } })),
      fc.constant<Shape>({ kind: "not JSON", raw: `{"events":[{"prompt":"${canary}"` }),
      fc.constant<Shape>({
        kind: "JSON with \\u escapes",
        raw: JSON.stringify({ events: [{ ...makeEvent(orgId), prompt: canary }] }).replace(
          canary,
          [...canary].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
        ),
      }),
      fc.constant<Shape>({ kind: "wrong content type", raw: `prompt=${canary}`, contentType: "application/x-www-form-urlencoded" }),
      fc.constant<Shape>({ kind: "events not an array", body: { events: canary } }),
      fc.constant<Shape>({ kind: "an event is a string", body: { events: [canary] } }),
      fc.constant<Shape>({ kind: "too large", raw: `{"events":[],"prompt":"${canary}${"y".repeat(2_100_000)}"}` }),
    ),
  );
  return fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: withCanary, weight: 8 });
}

describe("content canaries", () => {
  const errorBodies: string[] = [];
  const kinds = new Map<string, number>();
  let tried = 0;
  let fiveHundreds = 0;
  let accepted = 0;

  it(`${BODIES} generated ingest bodies to the real route handler`, async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb(), async (shape) => {
        tried++;
        kinds.set(shape.kind, (kinds.get(shape.kind) ?? 0) + 1);
        const body = shape.raw ?? JSON.stringify(shape.body);
        const request = new Request("http://localhost/api/v1/usage/events", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": shape.contentType ?? "application/json" },
          body,
        });
        const res = await ingestRoute(request, { params: Promise.resolve({}) });
        if (res.status >= 500) fiveHundreds++;
        const text = await res.text();
        if (res.status === 200) accepted++;
        else errorBodies.push(`${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${text}`);
        // A body with a canary must never be accepted.
        return shape.kind === "valid batch" ? res.status === 200 : res.status >= 400 && res.status < 500;
      }),
      { numRuns: BODIES, seed: Number(process.env.ADVERSARIAL_SEED ?? Date.now() % 2 ** 31) },
    );
    // Moderation flags with the canary in content places, and a valid restricting flag so that emails are owed and written.
    for (const bad of [
      { orgId, category: `self harm: ${PREFIX}flag`, severity: "high", restrict: true },
      { orgId, category: "spam", severity: "high", restrict: true, excerpt: `${PREFIX}excerpt` },
    ]) {
      const res = await flagsRoute(
        new Request("http://localhost/api/v1/moderation/flags", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(bad),
        }),
        { params: Promise.resolve({}) },
      );
      errorBodies.push(`${res.status}\n${await res.text()}`);
      expect(res.status).toBe(400);
    }
    const ok = await flagsRoute(
      new Request("http://localhost/api/v1/moderation/flags", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ orgId, category: "self_harm", severity: "critical", restrict: true }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(ok.status).toBe(201);
    const report = await drainOutbox({ transport: fileTransport(mailDir) });
    expect(report.delivered).toBeGreaterThan(0);
    record("canaries", "ingest bodies tried (fast-check, valid and malformed)", tried, `>= ${BODIES}`);
    record("canaries", "of which valid batches accepted", accepted);
    record("canaries", "5xx answers", fiveHundreds, "0");
    console.info(`[canary] kinds: ${JSON.stringify(Object.fromEntries(kinds))}`);
    expect(fiveHundreds).toBe(0);
  });

  it("the canary is nowhere: pg_dump, app logs, PostgreSQL's log, .eml files, error bodies", async () => {
    const found: Record<string, number> = {};
    const samples: string[] = [];
    const count = (where: string, text: string) => {
      const n = text.split(PREFIX).length - 1;
      if (n) for (const line of text.split("\n")) if (line.includes(PREFIX) && samples.length < 10) samples.push(`${where}: ${line.slice(0, 300)}`);
      found[where] = (found[where] ?? 0) + n;
    };
    const dump = execFileSync("pg_dump", ["--data-only", "--no-owner", url], { maxBuffer: 1 << 30 }).toString("utf8");
    expect(dump).toContain("COPY public.usage_events");
    count("pg_dump", dump);
    for (const line of logged) count("app logs", line);
    await db.execute(sql`do $$ begin raise log 'zdr adversarial canary marker'; end $$`).catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    let pgLogRead = 0;
    for (const f of pgLogFiles()) {
      const text = fs
        .readFileSync(f)
        .subarray(pgLogOffsets.get(f) ?? 0)
        .toString("utf8");
      pgLogRead += text.length;
      count("PostgreSQL server log", text);
    }
    const emls = fs.readdirSync(mailDir).filter((f) => f.endsWith(".eml"));
    for (const f of emls) count(".eml files", fs.readFileSync(path.join(mailDir, f), "utf8"));
    for (const b of errorBodies) count("error bodies", b);
    const total = Object.values(found).reduce((a, b) => a + b, 0);
    record(
      "canaries",
      `places searched: pg_dump (${(dump.length / 1e6).toFixed(1)} MB), ${logged.length} app log lines, ${pgLogRead} bytes of PostgreSQL log, ${emls.length} .eml files, ${errorBodies.length} error bodies`,
      5,
    );
    record("canaries", "canaries found", total, "0");
    expect(found, samples.join("\n")).toEqual({ pg_dump: 0, "app logs": 0, "PostgreSQL server log": 0, ".eml files": 0, "error bodies": 0 });
    expect(emls.length).toBeGreaterThan(0);
    expect(pgLogRead).toBeGreaterThan(0);
    expect(logged.length).toBeGreaterThan(0);
  });
});
