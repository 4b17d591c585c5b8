/**
 * ZDR coverage told truly (derived from the audit log, with the requests
 * served without ZDR in each gap; "active since" restarts after a gap; the
 * export carries it and the verifier rechecks it), the demo seed's trail,
 * state and usage agree, and monthly retention statements: signed, issued
 * once with an email per admin, verified by the same code as /verify and by
 * `npm run verify`, and every tampering tried for real is refused.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { CompactSign, exportJWK, calculateJwkThumbprint } from "jose";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withFreshDatabase } from "../helpers/db";

process.env.DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "zdr-statements-"));
const { getDb } = await import("@/lib/db");
const schema = await import("@/lib/db/schema");
const { enableZeroRetention, restrictOrganization, liftRestriction, disableZeroRetention } = await import("@/lib/retention/service");
const { getZdrCoverage } = await import("@/lib/retention/coverage");
const { getRetentionView } = await import("@/lib/retention/queries");
const { exportAuditLog } = await import("@/lib/audit/export");
const { verifyDocumentText } = await import("@/lib/audit/verify");
const { issueStatement, issueDueStatements, getStatementFile, listStatements } = await import("@/lib/statements/statements");
const { seedDemoWorld } = await import("@/lib/demo/seed");
type Principal = import("@/lib/auth/principal").Principal;

const db = withFreshDatabase();
// Support staff as the retention service sees them; the audit actor id is this uuid.
const support: Principal = {
  kind: "user",
  userId: crypto.randomUUID(),
  email: "support@provider.example",
  name: "Support",
  isSupport: true,
  orgId: null,
  role: null,
  memberships: [],
};

function principal(orgId: string, userId: string, role: "admin" | "member" = "admin"): Principal {
  return { kind: "user", userId, email: "a@x.example", name: "A", isSupport: false, orgId, role, memberships: [{ orgId, orgName: "Org", role }] };
}

async function makeOrgWithAdmin(createdDaysAgo = 0): Promise<{ orgId: string; admin: Principal; member: Principal }> {
  const d = getDb();
  const slug = `org-${crypto.randomBytes(5).toString("hex")}`;
  const [org] = await d
    .insert(schema.organizations)
    .values({ name: `Org ${slug}`, slug, plan: "enterprise", createdAt: new Date(Date.now() - createdDaysAgo * 86400_000) })
    .returning();
  await d.insert(schema.retentionStates).values({ orgId: org.id, zdrStatus: "off" });
  const ids: string[] = [];
  for (const role of ["admin", "member"] as const) {
    const [u] = await d
      .insert(schema.users)
      .values({ email: `${role}-${slug}@x.example`, name: `${role} ${slug}` })
      .returning();
    await d.insert(schema.memberships).values({ orgId: org.id, userId: u.id, role });
    ids.push(u.id);
  }
  return { orgId: org.id, admin: principal(org.id, ids[0]), member: principal(org.id, ids[1], "member") };
}

async function events(orgId: string, n: number, zeroRetention: boolean, at = new Date()) {
  await getDb()
    .insert(schema.usageEvents)
    .values(
      Array.from({ length: n }, () => ({
        id: crypto.randomUUID(),
        orgId,
        occurredAt: at,
        product: "text_to_speech" as const,
        model: "m",
        inputUnits: 1,
        outputUnits: 1,
        status: "ok" as const,
        latencyMs: 5,
        zeroRetention,
      })),
    );
}

const pause = () => new Promise((r) => setTimeout(r, 5));

describe("ZDR coverage", () => {
  it("intervals come from the audit log, count the requests served without ZDR in each gap, and 'active since' restarts after a lifted restriction", async () => {
    db.handle();
    const { orgId, admin, member } = await makeOrgWithAdmin();
    await enableZeroRetention(support, { orgId, reason: "Verified requester" });
    await pause();
    await events(orgId, 3, true);
    await pause();
    await restrictOrganization(support, { orgId, reason: "provider_discretion", note: "Contract review" });
    await pause();
    await events(orgId, 2, false);
    await pause();
    const lifted = await liftRestriction(support, { orgId, reason: "Contract signed" });
    await pause();
    await events(orgId, 4, true);

    const view = await getZdrCoverage(member, { orgId });
    expect(view.intervals.map((i) => [i.honoured, i.openedBy.action, i.requests, i.withoutZdr])).toEqual([
      [true, "zdr.restriction_lifted", 4, 0],
      [false, "zdr.restricted", 2, 2],
      [true, "zdr.enabled", 3, 0],
    ]);
    expect(view.intervals[0].to).toBeNull();
    expect(view.intervals[1].to).toBe(view.intervals[0].from);
    // The emblem and the state card read the policy: honoured since the lift, not since the first enable.
    const retention = await getRetentionView(member, { orgId });
    expect(retention.policy.zdr.since).toBe(lifted.state.zdrSince!.toISOString());
    expect(Date.parse(view.honouredSince!)).toBeGreaterThanOrEqual(Date.parse(retention.policy.zdr.since!) - 1000);

    await disableZeroRetention(support, { orgId, reason: "Customer asked" });
    const after = await getZdrCoverage(member, { orgId });
    expect(after.honouredSince).toBeNull();
    expect(after.intervals[0]).toMatchObject({ honoured: false, to: null, openedBy: { action: "zdr.disabled" } });

    // The export carries the same intervals; the verifier recomputes them from the entries.
    const doc = await exportAuditLog(admin, { orgId });
    expect(doc.coverage.map((c) => c.honoured)).toEqual([true, false, true, false]);
    expect(await verifyDocumentText(JSON.stringify(doc))).toMatchObject({ ok: true });
    const forged = structuredClone(doc);
    forged.coverage[1].honoured = true; // claim the restriction never happened
    expect(await verifyDocumentText(JSON.stringify(forged))).toMatchObject({ ok: false, problem: expect.stringContaining("coverage") });
    const dropped = { ...structuredClone(doc), coverage: doc.coverage.slice(0, 1) };
    expect((await verifyDocumentText(JSON.stringify(dropped))).ok).toBe(false);
  });

  it("the demo seed's audit trail is dated when its changes happened and agrees with the state (its usage flags are drawn from the same zdrSince)", async () => {
    const d = getDb();
    await seedDemoWorld(d, { usage: false });
    const [nw] = await d.select().from(schema.organizations).where(eq(schema.organizations.slug, "northwind-health"));
    const [state] = await d.select().from(schema.retentionStates).where(eq(schema.retentionStates.orgId, nw.id));
    const [u] = await d.select().from(schema.users).where(eq(schema.users.email, "member@northwind.example"));
    const view = await getZdrCoverage(principal(nw.id, u.id, "member"), { orgId: nw.id });
    expect(view.honouredSince).toBe(state.zdrSince!.toISOString());
    expect(view.intervals.map((i) => i.openedBy.action)).toEqual(["zdr.enabled", "zdr.requested"]);
    expect(Date.parse(view.intervals[1].from)).toBeLessThan(Date.parse(view.intervals[0].from));
  });
});

/** YYYY-MM of a date in UTC, and the first instant of the month after. */
const monthOf = (d: Date) => d.toISOString().slice(0, 7);
const nextMonthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, 1));

describe("monthly retention statements", () => {
  it("states the month (each change, coverage, requests under ZDR and not, the checkpoint), is issued once with one email per admin, and verifies", async () => {
    const { orgId, admin, member } = await makeOrgWithAdmin(1);
    await enableZeroRetention(support, { orgId, reason: "Verified requester", ticketRef: "SUP-7" });
    await events(orgId, 5, true);
    await restrictOrganization(support, { orgId, reason: "automated_flag", note: "Flagged" });
    await events(orgId, 2, false);
    await liftRestriction(support, { orgId, reason: "Reviewed" });
    const today = new Date().toISOString().slice(0, 10);
    const [removal] = await getDb()
      .insert(schema.removalRequests)
      .values({
        orgId,
        scope: "organization",
        fromDay: today,
        toDay: today,
        fromAt: new Date(Date.now() - 3600_000),
        toAt: new Date(),
        timeZone: "UTC",
        status: "completed",
        finishedAt: new Date(),
      })
      .returning({ id: schema.removalRequests.id });
    const month = monthOf(new Date());
    // A month not over cannot be stated.
    await expect(issueStatement(getDb(), { orgId, month })).rejects.toMatchObject({ code: "conflict" });

    const at = nextMonthStart(new Date());
    const first = await issueStatement(getDb(), { orgId, month }, at);
    expect(first.issued).toBe(true);
    const again = await issueStatement(getDb(), { orgId, month }, at);
    expect(again).toEqual({ jws: first.jws, issued: false });
    const mails = await getDb()
      .select()
      .from(schema.outbox)
      .where(sql`payload->>'orgId' = ${orgId} and payload->>'subject' like '%Retention statement%'`);
    expect(mails).toHaveLength(1); // one admin, once

    const payload = JSON.parse(Buffer.from(first.jws.split(".")[1], "base64url").toString());
    expect(payload).toMatchObject({ type: "retention_statement", orgId, month, requests: { total: 7, underZdr: 5, withoutZdr: 2 } });
    expect(payload.policy.changes.map((c: { action: string }) => c.action)).toEqual(["zdr.enabled", "zdr.restricted", "zdr.restriction_lifted"]);
    expect(payload.policy.atStart).toMatchObject({ zdrStatus: "off", honoured: false });
    expect(payload.policy.atEnd).toMatchObject({ zdrStatus: "active", honoured: true });
    expect(payload.coverage.map((c: { honoured: boolean }) => c.honoured)).toEqual([true, false, true]);
    expect(payload.checkpoint.treeSize).toBe(3);
    expect(payload.policy.otherChanges).toEqual([]);
    expect(payload.removals).toEqual([
      expect.objectContaining({ requestId: removal.id, certificate: expect.stringMatching(new RegExp(`/data-removal/${removal.id}/certificate$`)) }),
    ]);

    expect(await listStatements(admin, { orgId })).toEqual([{ month, issuedAt: at.toISOString() }]);
    const file = await getStatementFile(admin, { orgId, month });
    const verified = await verifyDocumentText(JSON.stringify(file));
    expect(verified).toMatchObject({ ok: true, kind: "retention_statement" });
    expect(verified.ok && verified.summary).toContain("7 requests, 5 under ZDR and 2 without");

    await expect(getStatementFile(member, { orgId, month })).rejects.toMatchObject({ code: "forbidden" });
    const other = await makeOrgWithAdmin();
    await expect(getStatementFile(other.admin, { orgId, month })).rejects.toMatchObject({ code: "not_found" });
    await expect(getStatementFile(admin, { orgId, month: "2026-13" })).rejects.toMatchObject({ code: "invalid" });
  });

  it("refuses a tampered statement for real: a flipped byte, a wrong key, a key the JWKS does not hold, a truncated file, a swapped checkpoint", async () => {
    const { orgId, admin } = await makeOrgWithAdmin(1);
    await enableZeroRetention(support, { orgId, reason: "Verified requester" });
    const month = monthOf(new Date());
    await issueStatement(getDb(), { orgId, month }, nextMonthStart(new Date()));
    const file = await getStatementFile(admin, { orgId, month });
    const [h, p, s] = file.statement.split(".");

    // One byte of the payload changed (the claim "withoutZdr": 0 becomes 1): the signature no longer matches.
    const body = Buffer.from(p, "base64url").toString().replace('"withoutZdr":0', '"withoutZdr":1');
    const flipped = { ...file, statement: `${h}.${Buffer.from(body).toString("base64url")}.${s}` };
    expect(await verifyDocumentText(JSON.stringify(flipped))).toMatchObject({ ok: false, problem: expect.stringContaining("signature does not match") });

    // Signed by another Ed25519 key under our kid: the signature fails.
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
    const kid = JSON.parse(Buffer.from(h, "base64url").toString()).kid;
    const forged = await new CompactSign(Buffer.from(p, "base64url"))
      .setProtectedHeader({ alg: "EdDSA", kid, typ: "zdr-retention-statement+jws" })
      .sign(privateKey);
    expect(await verifyDocumentText(JSON.stringify({ ...file, statement: forged }))).toMatchObject({
      ok: false,
      problem: expect.stringContaining("signature does not match"),
    });

    // Signed by a stranger's key that ships its own JWKS beside ours' absence: named as a key we do not hold.
    const strangerJwk = await exportJWK(publicKey);
    const strangerKid = await calculateJwkThumbprint(strangerJwk);
    const stranger = await new CompactSign(Buffer.from(p, "base64url")).setProtectedHeader({ alg: "EdDSA", kid: strangerKid }).sign(privateKey);
    expect(await verifyDocumentText(JSON.stringify({ ...file, statement: stranger }))).toMatchObject({
      ok: false,
      problem: expect.stringContaining("does not hold"),
    });

    // Truncated file, and a truncated JWS.
    const text = JSON.stringify(file, null, 2);
    expect(await verifyDocumentText(text.slice(0, text.length - 40))).toMatchObject({ ok: false, problem: expect.stringContaining("truncated") });
    expect(await verifyDocumentText(file.statement.slice(0, file.statement.lastIndexOf(".") + 1))).toMatchObject({
      ok: false,
      problem: expect.stringContaining("truncated"),
    });

    // A statement whose inner checkpoint belongs to another org (re-signed by us would be needed; a stranger cannot): the checkpoint inside is checked too.
    const other = await makeOrgWithAdmin(1);
    await enableZeroRetention(support, { orgId: other.orgId, reason: "x-x-x" });
    const otherCp = (await exportAuditLog(other.admin, { orgId: other.orgId })).checkpoint!;
    const { signDocument } = await import("@/lib/signing");
    const swapped = JSON.parse(Buffer.from(p, "base64url").toString());
    swapped.checkpoint.jws = otherCp;
    const reSigned = await signDocument(swapped, { typ: "zdr-retention-statement+jws" });
    expect(await verifyDocumentText(JSON.stringify({ ...file, statement: reSigned }))).toMatchObject({
      ok: false,
      problem: expect.stringContaining("another organization"),
    });
  });

  it("the issuer issues every org's previous month once; npm run verify exits 0 on the file and 2 after one altered byte", async () => {
    const { orgId, admin } = await makeOrgWithAdmin(40);
    const now = new Date();
    const issued = await issueDueStatements(getDb(), now);
    expect(issued).toBeGreaterThan(0);
    expect(await issueDueStatements(getDb(), now)).toBe(0);
    const prev = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString().slice(0, 7);
    const rows = await getDb()
      .select()
      .from(schema.retentionStatements)
      .where(and(eq(schema.retentionStatements.orgId, orgId), eq(schema.retentionStatements.month, prev)));
    expect(rows).toHaveLength(1);

    const file = await getStatementFile(admin, { orgId, month: prev });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-statement-cli-"));
    const run = (name: string, text: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/verify.ts", f], { encoding: "utf8", env: { ...process.env, DATA_DIR: dir } });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const text = JSON.stringify(file, null, 2);
    const good = run("good.json", text);
    expect(good.status, good.out).toBe(0);
    expect(good.out).toContain("VERIFIED (retention statement)");
    const i = text.indexOf('"statement": "') + '"statement": "'.length + 60;
    const bad = run("bad.json", text.slice(0, i) + (text[i] === "A" ? "B" : "A") + text.slice(i + 1));
    expect(bad.status, bad.out).toBe(2);
    expect(bad.out).toMatch(/NOT VERIFIED/);
    expect(bad.out.trim().split("\n")).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
