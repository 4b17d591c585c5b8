import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, notices, organizations, outbox, retentionStates } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { disableZeroRetention, enableZeroRetention, liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { drainOutbox } from "@/lib/notify/worker";
import { listDeadLetters, retryDeadLetter } from "@/lib/notify/dead-letters";
import { enqueueEmail, purgeDelivered } from "@/lib/notify/outbox";
import type { MailTransport } from "@/lib/notify/transport";
import { fileTransport, smtpTransport } from "@/lib/notify/transport";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
let support: UserPrincipal;
const orgs: Record<string, string> = {};
let sink: SmtpSink;

async function counts() {
  const d = db.handle().db;
  const [[a], [n], [o]] = await Promise.all([
    d.select({ n: count() }).from(auditLog),
    d.select({ n: count() }).from(notices),
    d.select({ n: count() }).from(outbox),
  ]);
  return { audit: a.n, notices: n.n, outbox: o.n };
}

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  for (const o of await d.select().from(organizations)) orgs[o.slug] = o.id;
  support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.close();
});

describe(`outbox on ${testDbKind}`, () => {
  it("a change whose notice cannot be written leaves no state, audit entry or email behind", async () => {
    const d = db.handle().db;
    const orgId = orgs["northwind-health"];
    const before = await counts();
    const [state] = await d.select().from(retentionStates).where(eq(retentionStates.orgId, orgId));
    await d.execute(sql`create function refuse_notice() returns trigger language plpgsql as $$ begin raise exception 'notices unavailable'; end $$`);
    await d.execute(sql`create trigger refuse_notice before insert on notices for each row execute function refuse_notice()`);
    try {
      await expect(restrictOrganization(support, { orgId, reason: "provider_discretion", note: "Must roll back" })).rejects.toThrow();
    } finally {
      await d.execute(sql`drop trigger refuse_notice on notices`);
      await d.execute(sql`drop function refuse_notice()`);
    }
    expect(await counts()).toEqual(before);
    const [after] = await d.select().from(retentionStates).where(eq(retentionStates.orgId, orgId));
    expect(after).toEqual(state);
  });

  it("declining a pending request tells the admins it was declined, not that ZDR was turned off", async () => {
    const d = db.handle().db;
    const r = await disableZeroRetention(support, { orgId: orgs["contoso-bank"], reason: "Requester could not be verified", ticketRef: "SUP-55" });
    expect(r.state.zdrStatus).toBe("off");
    const [n] = await d.select().from(notices).where(eq(notices.id, r.noticeId));
    expect(n.title).toBe("Zero Data Retention request declined for Contoso Bank");
    const [entry] = await d.select().from(auditLog).where(eq(auditLog.id, r.auditId));
    expect(entry.action).toBe("zdr.request_declined");
  });

  it.skipIf(testDbKind !== "postgres")("two workers draining at once send each message once (SKIP LOCKED)", async () => {
    const d = db.handle().db;
    await drainOutbox({ db: d, transport: smtpTransport(sink.url) });
    sink.messages.length = 0;
    for (let i = 0; i < 15; i++) {
      await restrictOrganization(support, { orgId: orgs["northwind-health"], reason: "provider_discretion", note: `Parallel ${i}` });
      await liftRestriction(support, { orgId: orgs["northwind-health"], reason: `Parallel ${i}` });
    }
    const [{ n: owed }] = await d
      .select({ n: count() })
      .from(outbox)
      .where(sql`${outbox.deliveredAt} is null`);
    expect(owed).toBe(30);
    const [a, b] = await Promise.all([
      drainOutbox({ db: d, transport: smtpTransport(sink.url), batchSize: 3 }),
      drainOutbox({ db: d, transport: smtpTransport(sink.url), batchSize: 3 }),
    ]);
    expect(a.delivered + b.delivered).toBe(30);
    expect(a.delivered).toBeGreaterThan(0);
    expect(b.delivered).toBeGreaterThan(0);
    expect(sink.messages).toHaveLength(30);
    expect(sink.duplicates().size).toBe(0);
  });

  it("without SMTP_URL each email is an .eml file named by its Message-ID; a redelivery overwrites it", async () => {
    const d = db.handle().db;
    await drainOutbox({ db: d, transport: smtpTransport(sink.url) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-mail-"));
    try {
      const r = await enableZeroRetention(support, { orgId: orgs["contoso-bank"], reason: "Verified on second try", ticketRef: "SUP-56" });
      expect(await drainOutbox({ db: d, transport: fileTransport(dir) })).toEqual({ delivered: 1, failed: 0 });
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      // Long headers are folded onto the next line.
      const eml = fs.readFileSync(path.join(dir, files[0]), "utf8").replace(/\r?\n[ \t]+/g, " ");
      const [row] = await d
        .select()
        .from(outbox)
        .where(sql`${outbox.payload}->>'noticeId' = ${r.noticeId}`);
      expect(eml).toContain(`Message-ID: ${row.messageId}`);
      expect(eml).toContain("To: admin@contoso.example");
      expect(eml).toMatch(/Content-Type: text\/plain/);
      expect(eml).toMatch(/Content-Type: text\/html/);
      await d.update(outbox).set({ deliveredAt: null }).where(eq(outbox.id, row.id));
      await drainOutbox({ db: d, transport: fileTransport(dir) });
      expect(fs.readdirSync(dir)).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an email whose retries are spent is a dead letter support can see and retry; a delivered email keeps no body; old deliveries are purged", async () => {
    const d = db.handle().db;
    await drainOutbox({ db: d, transport: smtpTransport(sink.url) });
    const orgId = orgs["fabrikam-studio"];
    const messageId = `<dead-letter-${Date.now()}@test>`;
    await d.transaction((tx) =>
      enqueueEmail(tx, {
        to: "owner@fabrikam.example",
        orgId,
        subject: "Dead letter test",
        text: "link https://x.example/invite/secret",
        html: "<p>link</p>",
        messageId,
      }),
    );
    const down: MailTransport = {
      describe: "down",
      close() {},
      async send() {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    };
    const row = async () => (await d.select().from(outbox).where(eq(outbox.messageId, messageId)))[0];
    for (let i = 0; i < 3; i++) {
      await drainOutbox({ db: d, transport: down, maxEmailAttempts: 3 });
      await d
        .update(outbox)
        .set({ availableAt: new Date(Date.now() - 1000) })
        .where(eq(outbox.messageId, messageId));
    }
    const dead = await row();
    expect(dead.abandonedAt).not.toBeNull();
    expect(dead.lastError).toBe("gave up: Error ECONNREFUSED");
    // Never claimed again on its own.
    await drainOutbox({ db: d, transport: smtpTransport(sink.url) });
    expect((await row()).deliveredAt).toBeNull();

    // Support sees it; an org admin is refused (the console's operations are 404 to everyone else).
    const letters = await listDeadLetters(support, d);
    expect(letters.find((l) => l.id === dead.id)).toMatchObject({ kind: "email", orgName: "Fabrikam Studio", subject: "Dead letter test", attempts: 3 });
    const admin = (await loadUserPrincipalByEmail(d, "owner@fabrikam.example"))!;
    await expect(listDeadLetters(admin, d)).rejects.toMatchObject({ code: "not_found" });
    await expect(retryDeadLetter(admin, { messageId: dead.id }, d)).rejects.toMatchObject({ code: "not_found" });

    // Retried: delivered once, with the same Message-ID; its body is gone from the row after delivery.
    await retryDeadLetter(support, { messageId: String(dead.id) as never }, d);
    const sent = sink.messages.length;
    await drainOutbox({ db: d, transport: smtpTransport(sink.url) });
    expect(sink.messages.length).toBe(sent + 1);
    const delivered = await row();
    expect(delivered.deliveredAt).not.toBeNull();
    expect(delivered.payload).toMatchObject({ subject: "Dead letter test" });
    expect(JSON.stringify(delivered.payload)).not.toContain("invite/secret");
    await expect(retryDeadLetter(support, { messageId: dead.id }, d)).rejects.toMatchObject({ code: "not_found" });
    await expect(retryDeadLetter(support, { messageId: "x" as never }, d)).rejects.toMatchObject({ code: "invalid" });

    // Purge: a delivery older than the window goes, a recent one and an undelivered one stay.
    await d
      .update(outbox)
      .set({ deliveredAt: new Date(Date.now() - 8 * 86_400_000) })
      .where(eq(outbox.id, delivered.id));
    const recent = await d
      .select({ id: outbox.id })
      .from(outbox)
      .where(sql`${outbox.deliveredAt} > now() - interval '1 day'`);
    expect(await purgeDelivered(d)).toBeGreaterThanOrEqual(1);
    expect(await row()).toBeUndefined();
    expect(
      (
        await d
          .select({ id: outbox.id })
          .from(outbox)
          .where(sql`${outbox.deliveredAt} > now() - interval '1 day'`)
      ).length,
    ).toBe(recent.length);
  });
});
