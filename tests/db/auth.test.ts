import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "@/lib/auth/credentials";
import { checkSignInThrottle, WINDOW_MS } from "@/lib/auth/throttle";
import { loadUserPrincipal, loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { authorize } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { authEvents, organizations, users } from "@/lib/db/schema";
import { DEMO_PASSWORD, seedDemoWorld } from "@/lib/demo/seed";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const orgIds: Record<string, string> = {};

beforeAll(async () => {
  await seedDemoWorld(db.handle().db, { usage: false });
  for (const o of await db.handle().db.select().from(organizations)) orgIds[o.slug] = o.id;
});

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof AppError ? err.code : "other";
  }
}

describe(`sign-in on ${testDbKind}`, () => {
  it("answers an unknown email and a wrong password alike, and logs neither password", async () => {
    const d = db.handle().db;
    const unknown = await authenticate({ email: "nobody@northwind.example", password: "guess-1", ip: "198.51.100.1" }, d);
    const wrong = await authenticate({ email: "admin@northwind.example", password: "guess-1", ip: "198.51.100.1" }, d);
    expect(unknown).toEqual({ ok: false, reason: "invalid" });
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    const logged = await d.select().from(authEvents).where(eq(authEvents.ip, "198.51.100.1"));
    expect(logged.map((e) => e.kind)).toEqual(["failure", "failure"]);
    expect(JSON.stringify(logged)).not.toContain("guess-1");
  });

  it("refuses the 6th attempt from one address even with the right password; another address works; the lock expires", async () => {
    const d = db.handle().db;
    const email = "member@northwind.example";
    const attacker = "203.0.113.7";
    for (let i = 0; i < 5; i++) {
      expect(await authenticate({ email, password: `wrong-${i}`, ip: attacker }, d)).toEqual({ ok: false, reason: "invalid" });
    }
    const sixth = await authenticate({ email, password: DEMO_PASSWORD, ip: attacker }, d);
    expect(sixth.ok).toBe(false);
    expect(sixth).toMatchObject({ reason: "rate_limited" });
    expect((sixth as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(800);

    const owner = await authenticate({ email, password: DEMO_PASSWORD, ip: "192.0.2.44" }, d);
    expect(owner.ok).toBe(true);

    const later = new Date(Date.now() + WINDOW_MS + 1000);
    expect(await checkSignInThrottle(d, { email, ip: attacker, now: later })).toEqual({ allowed: true });
    const [lockouts] = await d
      .select({ n: sql<number>`count(*)::int` })
      .from(authEvents)
      .where(eq(authEvents.kind, "lockout"));
    expect(lockouts.n).toBeGreaterThanOrEqual(1);
  });

  it("locks one address after 20 failures across accounts", async () => {
    const d = db.handle().db;
    const ip = "203.0.113.99";
    for (let i = 0; i < 20; i++) await authenticate({ email: `user${i}@spray.example`, password: "x", ip }, d);
    const r = await authenticate({ email: "admin@contoso.example", password: DEMO_PASSWORD, ip }, d);
    expect(r).toMatchObject({ ok: false, reason: "rate_limited" });
  });

  it("a disabled user cannot sign in and loses its sessions", async () => {
    const d = db.handle().db;
    const p = await loadUserPrincipalByEmail(d, "member@contoso.example");
    await d.update(users).set({ disabledAt: new Date() }).where(eq(users.id, p!.userId));
    expect(await authenticate({ email: "member@contoso.example", password: DEMO_PASSWORD, ip: "192.0.2.50" }, d)).toEqual({ ok: false, reason: "invalid" });
    expect(await loadUserPrincipal(d, p!.userId)).toBeNull();
    await d.update(users).set({ disabledAt: null }).where(eq(users.id, p!.userId));
  });
});

describe(`sessions and roles on ${testDbKind}`, () => {
  it("a session issued before a session-version bump no longer counts", async () => {
    const d = db.handle().db;
    const signedIn = await authenticate({ email: "admin@contoso.example", password: DEMO_PASSWORD, ip: "192.0.2.60" }, d);
    if (!signedIn.ok) throw new Error("sign-in failed");
    expect(await loadUserPrincipal(d, signedIn.userId, null, { sessionVersion: signedIn.sessionVersion })).not.toBeNull();
    await d
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, signedIn.userId));
    expect(await loadUserPrincipal(d, signedIn.userId, null, { sessionVersion: signedIn.sessionVersion })).toBeNull();
  });

  it("tenant walls: another org's id is 404, a member acting as admin 403, support is not a customer", async () => {
    const d = db.handle().db;
    const nwAdmin = await loadUserPrincipalByEmail(d, "admin@northwind.example");
    const nwMember = await loadUserPrincipalByEmail(d, "member@northwind.example");
    const support = await loadUserPrincipalByEmail(d, "support@provider.example");
    const north = orgIds["northwind-health"];
    const contoso = orgIds["contoso-bank"];
    expect(codeOf(() => authorize(nwAdmin, "members.manage", { orgId: north }))).toBeNull();
    expect(codeOf(() => authorize(nwAdmin, "usage.read", { orgId: contoso }))).toBe("not_found");
    expect(codeOf(() => authorize(nwMember, "usage.read", { orgId: north }))).toBeNull();
    expect(codeOf(() => authorize(nwMember, "members.manage", { orgId: north }))).toBe("forbidden");
    expect(codeOf(() => authorize(support, "usage.read", { orgId: north }))).toBe("not_found");
    expect(codeOf(() => authorize(null, "usage.read", { orgId: north }))).toBe("unauthorized");
    expect(codeOf(() => authorize(support, "support.read"))).toBeNull();
    expect(codeOf(() => authorize(nwAdmin, "support.read"))).toBe("not_found");
    expect(codeOf(() => authorize(nwAdmin, "policy.read"))).toBe("unauthorized");
    expect(codeOf(() => authorize({ kind: "service", tokenId: "t", name: "fleet", scopes: ["usage:write"] }, "policy.read"))).toBe("forbidden");
  });

  it("the active organization can only be one the user belongs to", async () => {
    const d = db.handle().db;
    const p = await loadUserPrincipalByEmail(d, "admin@northwind.example");
    const forged = await loadUserPrincipal(d, p!.userId, orgIds["contoso-bank"]);
    expect(forged!.orgId).toBe(orgIds["northwind-health"]);
  });
});
