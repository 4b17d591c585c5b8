/**
 * Crashes on real PostgreSQL: an app process SIGKILLed at a random moment of
 * ingest (then every acknowledged event must be counted exactly once, in the
 * events and in both rollups), SIGKILLed during notification delivery (then
 * every owed email arrives, none for a change that rolled back), and 16
 * concurrent writers of retention changes across 8 orgs (one audit row per
 * committed change, the chain and every org's Merkle tree verify, also after
 * pg_dump and restore into a fresh database).
 */
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { eq, sql } from "drizzle-orm";
import { adminSql } from "@/lib/db/admin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, queryRows, type Db } from "@/lib/db";
import { closeCacheListener } from "@/lib/db/listen";
import { memberships, organizations, outbox, users } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { verifyAuditChain } from "@/lib/audit/chain";
import { verifyOrgTree } from "@/lib/audit/check";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { disableZeroRetention, enableZeroRetention, liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { AppError } from "@/lib/errors";
import { makeOrg, makeToken } from "../helpers/api";
import { TEST_DATABASE_URL, withFreshDatabase } from "../helpers/db";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink";
import { ackedIds, startChild } from "./child";
import { countCheck } from "./crash-checks";
import { record, scale } from "./figures";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

let db: Db;
let url: string;
let northwind: string;

beforeAll(async () => {
  db = fresh.handle().db;
  url = (fresh.handle() as { url?: string }).url!;
  await seedDemoWorld(db, { usage: false });
  [{ id: northwind }] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
});

describe("crashes (PostgreSQL)", () => {
  it("SIGKILL at a random moment of ingest, many times: every acknowledged event counted exactly once", async () => {
    const runs = scale(20, 4);
    const orgId = await makeOrg(db);
    const token = (await makeToken(db, ["usage:write"])).token;
    const acked = new Set<string>();
    const baseMs = Date.now();
    let killedWithBatchesInFlight = 0;
    for (let run = 0; run < runs; run++) {
      const replay = [...acked].sort(() => Math.random() - 0.5).slice(0, 60);
      const child = startChild("tests/adversarial/ingest-child.ts", [], {
        DATABASE_URL: url,
        TOKEN: token,
        ORG_ID: orgId,
        BASE_MS: String(baseMs),
        REPLAY_IDS: JSON.stringify(replay),
      });
      await child.waitForLine(/^ready$/m);
      await child.waitForLine(/^ack /m);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 1500));
      child.proc.kill("SIGKILL");
      await child.exited;
      const lines = child.lines();
      for (const id of ackedIds(lines)) acked.add(id);
      if (!child.lines().at(-1)?.startsWith("ack ")) killedWithBatchesInFlight++;
    }
    const c = await countCheck(db, orgId, acked);
    record("crashes", "ingest: SIGKILL runs (child process, real PostgreSQL)", runs, `>= ${scale(20, 4)}`);
    record("crashes", "ingest: events acknowledged before the kills", acked.size);
    record("crashes", "ingest: acknowledged events lost", c.lost, "0");
    record("crashes", "ingest: events double-counted (rollups above events)", c.doubleCounted, "0");
    record("crashes", "ingest: stored events missing from a rollup", c.missingFromRollups, "0");
    console.info(
      `[crash ingest] ${runs} runs, ${acked.size} acked, ${c.stored} stored (the rest were in flight), ${killedWithBatchesInFlight} kills mid-batch`,
    );
    expect(c).toMatchObject({ lost: 0, doubleCounted: 0, missingFromRollups: 0 });
  });

  describe("notification delivery", () => {
    let sink: SmtpSink;
    const ADMINS = 5;
    beforeAll(async () => {
      for (let i = 1; i < ADMINS; i++) {
        const [u] = await db
          .insert(users)
          .values({ email: `crash-admin${i}@northwind.example`, name: `Admin ${i}` })
          .returning();
        await db.insert(memberships).values({ orgId: northwind, userId: u.id, role: "admin" });
      }
      sink = await startSmtpSink({ delayMs: 10 });
    });
    afterAll(() => sink?.close());

    it("SIGKILL mid-delivery, many times: every owed email arrives, none for a change that rolled back", async () => {
      const runs = scale(20, 3);
      let killAt = 0;
      let killed = () => {};
      sink.onMessage(() => {
        if (killAt && sink.messages.length >= killAt) killed();
      });
      let notDelivered = 0;
      let unowed = 0;
      for (let run = 0; run < runs; run++) {
        const work = startChild("tests/helpers/notify-child.ts", ["work"], {
          DATABASE_URL: url,
          SMTP_URL: sink.url,
          ORG_ID: northwind,
          CYCLES: "2",
          OUTBOX_LEASE_MS: "1000",
        });
        // Killed after a random number of messages of this run, or at a random moment if none arrive first.
        killAt = sink.messages.length + 1 + Math.floor(Math.random() * 15);
        await Promise.race([new Promise<void>((r) => (killed = r)), work.exited, new Promise((r) => setTimeout(r, 2500 + Math.random() * 3000))]);
        killAt = 0;
        work.proc.kill("SIGKILL");
        await work.exited;
        const drain = startChild("tests/helpers/notify-child.ts", ["drain"], { DATABASE_URL: url, SMTP_URL: sink.url, OUTBOX_LEASE_MS: "1000" });
        expect(await drain.exited, drain.lines().join("\n")).toBe(0);
        const rows = await db.select({ messageId: outbox.messageId, deliveredAt: outbox.deliveredAt }).from(outbox);
        const owed = new Set(rows.map((r) => r.messageId));
        const received = new Set(sink.messages.map((m) => m.messageId));
        notDelivered = rows.filter((r) => r.deliveredAt === null || !received.has(r.messageId)).length;
        unowed = [...received].filter((id) => !owed.has(id)).length;
        if (notDelivered || unowed) break;
      }
      const dup = sink.duplicates();
      const extra = [...dup.values()].reduce((a, n) => a + n - 1, 0);
      const [{ n: owedCount }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from outbox`);
      record("crashes", "notify: SIGKILL runs during delivery (child process, real PostgreSQL, SMTP)", runs, `>= ${scale(20, 3)}`);
      record("crashes", "notify: emails owed by committed changes", owedCount);
      record("crashes", "notify: owed emails never delivered", notDelivered, "0");
      record("crashes", "notify: emails for a change that never committed", unowed, "0");
      record("crashes", "notify: duplicate emails (same Message-ID again, at-least-once after a kill)", extra);
      expect({ notDelivered, unowed }).toEqual({ notDelivered: 0, unowed: 0 });
    });
  });

  it("16 concurrent writers across 8 orgs: one audit row per committed change, the chain and every org's tree verify, also after dump and restore", async () => {
    const writers = 16;
    // 8 orgs x 500 committed changes at full size (16 writers x 250).
    const opsEach = scale(250, 8);
    const orgs = [northwind, ...(await Promise.all([0, 1, 2, 3, 4, 5, 6].map(() => makeOrg(db, { zdr: "active" }))))];
    const pool = openPostgres(url, { max: writers });
    const support = (await loadUserPrincipalByEmail(db, "support@provider.example"))!;
    const [{ n: before }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`);
    let committed = 0;
    let refused = 0;
    const unexpected: string[] = [];
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        // Each writer keeps going until opsEach of its changes committed (a refused one owes no audit row), with a bound on tries.
        let mine = 0;
        for (let i = 0; mine < opsEach && i < opsEach * 6; i++) {
          const orgId = orgs[Math.floor(Math.random() * orgs.length)];
          const ticketRef = `W${w}-${i}`;
          const pick = Math.floor(Math.random() * 4);
          try {
            if (pick === 0) await restrictOrganization(support, { orgId, reason: "provider_discretion", note: `writer ${w}`, ticketRef }, pool.db);
            else if (pick === 1) await liftRestriction(support, { orgId, reason: `writer ${w} lifts`, ticketRef }, pool.db);
            else if (pick === 2) await enableZeroRetention(support, { orgId, reason: `writer ${w} enables`, ticketRef }, pool.db);
            else await disableZeroRetention(support, { orgId, reason: `writer ${w} disables`, ticketRef }, pool.db);
            committed++;
            mine++;
          } catch (err) {
            // A change that does not apply to the state it met (already restricted, …) is refused: no audit row owed.
            if (err instanceof AppError && (err.code === "conflict" || err.code === "invalid")) refused++;
            else unexpected.push(`${(err as Error).name}: ${(err as { code?: string }).code ?? ""}`);
          }
        }
      }),
    );
    await pool.close();
    const [{ n: after }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`);
    const chain = await verifyAuditChain(db);
    const trees = await Promise.all(orgs.map((o) => verifyOrgTree(db, o)));

    // pg_dump, restore into a database of its own, verify there.
    const restoredName = `zdr_restore_${crypto.randomBytes(4).toString("hex")}`;
    await adminSql(TEST_DATABASE_URL, `create database ${restoredName}`);
    const restoredUrl = new URL(TEST_DATABASE_URL);
    restoredUrl.pathname = `/${restoredName}`;
    let restoredChain;
    let restoredTrees: Awaited<ReturnType<typeof verifyOrgTree>>[] = [];
    try {
      const dump = execFileSync("pg_dump", ["--no-owner", "--format=custom", url], { maxBuffer: 1 << 30 });
      execFileSync("pg_restore", ["--no-owner", "--dbname", restoredUrl.toString()], { input: dump });
      const restored = openPostgres(restoredUrl.toString(), { max: 1 });
      restoredChain = await verifyAuditChain(restored.db);
      restoredTrees = await Promise.all(orgs.map((o) => verifyOrgTree(restored.db, o)));
      await restored.close();
    } finally {
      await adminSql(TEST_DATABASE_URL, `drop database if exists ${restoredName} with (force)`);
    }
    record(
      "crashes",
      `concurrent writers: ${writers} writers across ${orgs.length} orgs, each until ${opsEach} of its retention changes committed`,
      writers * opsEach,
    );
    record("crashes", "concurrent writers: changes committed / refused as not applicable", `${committed} / ${refused}`);
    record("crashes", "concurrent writers: audit rows minus committed changes", after - before - committed, "0");
    record("crashes", "concurrent writers: errors other than a refusal", unexpected.length, "0");
    record("crashes", "audit chain breaks (live database)", chain.ok ? 0 : 1, "0");
    record(
      "crashes",
      "audit chain breaks (after pg_dump and restore into a fresh database)",
      restoredChain?.ok && restoredChain.entries === chain.entries ? 0 : 1,
      "0",
    );
    record(
      "crashes",
      `org Merkle trees that do not verify, of ${orgs.length} (live database; leaves, stored subtrees, signed checkpoint)`,
      trees.filter((t) => !t.ok).length,
      "0",
    );
    record(
      "crashes",
      `org Merkle trees that do not verify, of ${orgs.length} (after pg_dump and restore)`,
      restoredTrees.length === orgs.length ? restoredTrees.filter((t) => !t.ok).length : orgs.length,
      "0",
    );
    expect(unexpected).toEqual([]);
    expect(committed).toBe(writers * opsEach);
    expect(after - before).toBe(committed);
    expect(chain.ok).toBe(true);
    expect(restoredChain).toEqual(chain);
    expect(
      trees.every((t) => t.ok),
      JSON.stringify(trees.filter((t) => !t.ok)),
    ).toBe(true);
    expect(restoredTrees).toEqual(trees);
  });
});
