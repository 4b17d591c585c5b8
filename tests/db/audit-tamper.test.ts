import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { asc, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, organizations } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { verifyAuditChain } from "@/lib/audit/chain";
import { enableZeroRetention, liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const run = promisify(execFile);
const db = withFreshDatabase();

/** `npm run audit:verify` as a child process against this test's database. */
async function auditVerifyCli(url: string): Promise<{ code: number; out: string }> {
  try {
    const r = await run("node_modules/.bin/tsx", ["scripts/audit-verify.ts"], {
      env: { ...process.env, DATABASE_URL: url, AUTH_SECRET: "x".repeat(40), NODE_ENV: "test" },
      timeout: 60_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  const support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  const [contoso] = await d.select().from(organizations).where(eq(organizations.slug, "contoso-bank"));
  await enableZeroRetention(support, { orgId: contoso.id, reason: "Verified requester", ticketRef: "SUP-1" });
  await restrictOrganization(support, { orgId: contoso.id, reason: "provider_discretion", note: "Contract review", ticketRef: "SUP-2" });
  await liftRestriction(support, { orgId: contoso.id, reason: "Contract signed", ticketRef: "SUP-3" });
});

describe(`tampering with the audit log on ${testDbKind}`, () => {
  it("editing one row in SQL (trigger disabled as its owner) is named by verify, and by the CLI", async () => {
    const h = db.handle();
    const d = h.db;
    // The demo world's six (three of them its projects' creation) and the three changes above.
    expect(await verifyAuditChain(d)).toEqual({ ok: true, entries: 9 });
    const url = (h as { url?: string }).url;
    if (url) {
      const clean = await auditVerifyCli(url);
      expect(clean.code).toBe(0);
      expect(clean.out).toMatch(/Audit chain intact: 9 entries/);
    }

    const rows = await d.select().from(auditLog).orderBy(asc(auditLog.id));
    const victim = rows.find((r) => r.action === "zdr.restricted")!; // the restriction
    expect(victim.action).toBe("zdr.restricted");
    await d.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
    await d.execute(sql`update audit_log set reason = 'Routine check' where id = ${victim.id}`);
    await d.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
    // The trigger is back: the tamperer cannot undo it through the app's path either.
    await expect(d.execute(sql`update audit_log set reason = 'again' where id = ${victim.id}`)).rejects.toThrow();

    const report = await verifyAuditChain(d);
    expect(report).toMatchObject({ ok: false, brokenAt: victim.id });
    expect(report.ok === false && report.problem).toMatch(/edited/);

    if (url) {
      const broken = await auditVerifyCli(url);
      expect(broken.code).toBe(2);
      expect(broken.out).toContain(`BROKEN at entry id ${victim.id}`);
      expect(broken.out).not.toContain("Routine check");
    }
  });

  it("removing a row breaks the link of the entry after it", async () => {
    const d = db.handle().db;
    const rows = await d.select().from(auditLog).orderBy(asc(auditLog.id));
    await d.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
    // The entry after the deleted one still points at the deleted one's hash.
    await d.execute(sql`delete from audit_log where id = ${rows[4].id}`);
    await d.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
    const report = await verifyAuditChain(d);
    expect(report).toMatchObject({ ok: false, brokenAt: rows[5].id });
    expect(report.ok === false && report.problem).toMatch(/removed or reordered/);
  });
});
