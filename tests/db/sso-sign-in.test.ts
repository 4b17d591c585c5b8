import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "@/lib/auth/credentials";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { redeemSsoTicket, issueSsoTicket } from "@/lib/auth/sso-ticket";
import { configureOrgSso } from "@/lib/sso/config";
import { beginSsoSignIn, clearSsoCaches, completeSsoSignIn, ssoRedirectUri } from "@/lib/sso/sign-in";
import { auditLog, authEvents, memberships, organizations, supportStaff, users } from "@/lib/db/schema";
import { DEMO_PASSWORD, seedDemoWorld } from "@/lib/demo/seed";
import { hashPassword } from "@/lib/auth/password";
import { startTestIdentityProvider, type TestIdentityProvider } from "../helpers/oidc-provider";
import { testDbKind, withFreshDatabase } from "../helpers/db";

/**
 * Single sign-on against a real OpenID Provider (oidc-provider) on loopback:
 * the code flow with PKCE, state and nonce as lib/sso/sign-in.ts runs it, and
 * the provider's token endpoint misbehaving for real (a token for another
 * audience, another nonce, a key outside its JWKS).
 */
const db = withFreshDatabase();
let idp: TestIdentityProvider;
let support: UserPrincipal;
const orgIds: Record<string, string> = {};
const ip = "192.0.2.150";
const DOMAIN = "northwind-sso.test";

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  for (const o of await d.select().from(organizations)) orgIds[o.slug] = o.id;
  support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  idp = await startTestIdentityProvider({ redirectUri: ssoRedirectUri() });
  clearSsoCaches();
  await configureOrgSso(
    support,
    {
      orgId: orgIds["northwind-health"],
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      emailDomains: DOMAIN,
      enforced: "on",
      reason: "IT asked for SSO",
    },
    d,
  );
});
afterAll(async () => idp?.close());

/** The whole browser round trip: the email step, the provider's sign-in form, the callback. */
async function signInThroughProvider(email: string, next?: string) {
  const d = db.handle().db;
  const start = await beginSsoSignIn({ email, next }, d);
  if (start.method !== "sso") throw new Error(`expected single sign-on, got ${start.method}`);
  const back = await idp.signInAs(start.redirectTo, email);
  return completeSsoSignIn({ flowCookie: start.flowCookie, callbackUrl: back, ip }, d);
}

const eventsOf = (kind: string) => db.handle().db.select().from(authEvents).where(eq(authEvents.kind, kind));

describe(`single sign-on through a real OpenID Provider on ${testDbKind}`, () => {
  it("the email step: no SSO means a password, enforced SSO goes to the provider with PKCE, state, nonce and the APP_URL redirect_uri", async () => {
    const d = db.handle().db;
    expect(await beginSsoSignIn({ email: "admin@northwind.example" }, d)).toEqual({ method: "password" });
    const start = await beginSsoSignIn({ email: `Someone@${DOMAIN.toUpperCase()}` }, d);
    expect(start.method).toBe("sso");
    if (start.method !== "sso") return;
    const url = new URL(start.redirectTo);
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get("redirect_uri")).toBe(ssoRedirectUri());
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("state")).toBeTruthy();
    expect(url.searchParams.get("nonce")).toBeTruthy();
    expect(url.searchParams.get("login_hint")).toBe(`someone@${DOMAIN}`);
    // The flow cookie is sealed: nothing of the verifier or nonce reads in the clear.
    expect(start.flowCookie).not.toContain(url.searchParams.get("nonce")!);
    await expect(beginSsoSignIn({ email: "not an email" }, d)).rejects.toMatchObject({ code: "invalid", details: { fields: ["email"] } });
  });

  it("a new person of the verified domain signs in and joins that org as a member, and nowhere else; audited and logged", async () => {
    const d = db.handle().db;
    const outcome = await signInThroughProvider(`new.nurse@${DOMAIN}`);
    expect(outcome).toMatchObject({ ok: true, orgId: orgIds["northwind-health"], joined: true, next: "/" });
    const [user] = await d
      .select()
      .from(users)
      .where(eq(users.email, `new.nurse@${DOMAIN}`));
    expect(user.passwordHash).toBeNull();
    expect(user.name).toBe("SSO new.nurse");
    const ms = await d.select().from(memberships).where(eq(memberships.userId, user.id));
    expect(ms.map((m) => [m.orgId, m.role])).toEqual([[orgIds["northwind-health"], "member"]]);
    const audit = await d.select().from(auditLog).where(eq(auditLog.actorId, user.id));
    expect(audit.map((a) => a.action).sort()).toEqual(["member.joined", "sso.signed_in"]);
    expect(audit.every((a) => a.orgId === orgIds["northwind-health"])).toBe(true);
    expect((await eventsOf("sso_sign_in")).filter((e) => e.userId === user.id)).toHaveLength(1);

    // The second sign-in is the same person, still a member of that one org, not joined again.
    const again = await signInThroughProvider(`new.nurse@${DOMAIN}`);
    expect(again).toMatchObject({ ok: true, userId: user.id, joined: false });
    expect(await d.select().from(memberships).where(eq(memberships.userId, user.id))).toHaveLength(1);
  });

  it("after signing in, the person goes where they were headed: a path of this app, never another origin", async () => {
    expect(await signInThroughProvider(`headed@${DOMAIN}`, "/retention?tab=policy")).toMatchObject({ ok: true, next: "/retention?tab=policy" });
    for (const elsewhere of ["//evil.example/x", "/\\evil.example", "/\t/evil.example", "https://evil.example/", "usage"]) {
      expect(await signInThroughProvider(`headed@${DOMAIN}`, elsewhere), elsewhere).toMatchObject({ ok: true, next: "/" });
    }
  });

  it("discovery and the key set are fetched once, not on every sign-in", async () => {
    const before = idp.requests.filter((p) => p.includes("openid-configuration") || p.includes("jwks")).length;
    await signInThroughProvider(`cached@${DOMAIN}`);
    await signInThroughProvider(`cached@${DOMAIN}`);
    expect(idp.requests.filter((p) => p.includes("openid-configuration") || p.includes("jwks")).length).toBe(before);
    expect(idp.requests.filter((p) => p === "/.well-known/openid-configuration").length).toBe(1);
  });

  it("enforced SSO refuses the password of that domain's account, even the right one", async () => {
    const d = db.handle().db;
    await d.insert(users).values({ email: `old.password@${DOMAIN}`, name: "Old", passwordHash: await hashPassword(DEMO_PASSWORD) });
    expect(await authenticate({ email: `old.password@${DOMAIN}`, password: DEMO_PASSWORD, ip }, d)).toEqual({ ok: false, reason: "sso_required" });
    // The same person through the provider is let in, and joins.
    expect(await signInThroughProvider(`old.password@${DOMAIN}`)).toMatchObject({ ok: true, joined: true });
  });

  for (const [tamper, label] of [
    ["audience", "an id token for another audience"],
    ["nonce", "an id token with another nonce"],
    ["foreign_key", "an id token signed with a key outside the provider's JWKS"],
  ] as const) {
    it(`${label} is refused, nobody is created, and the failure is logged`, async () => {
      const d = db.handle().db;
      const email = `tampered.${tamper}@${DOMAIN}`;
      const failuresBefore = (await eventsOf("sso_failure")).length;
      idp.tamper = tamper;
      try {
        expect(await signInThroughProvider(email)).toEqual({ ok: false, reason: "sso_invalid", orgId: orgIds["northwind-health"] });
      } finally {
        idp.tamper = null;
      }
      expect(await d.select().from(users).where(eq(users.email, email))).toEqual([]);
      expect((await eventsOf("sso_failure")).length).toBe(failuresBefore + 1);
      // Untampered, the same person signs in: the refusal was the token's, not the setup's.
      expect(await signInThroughProvider(email)).toMatchObject({ ok: true });
    });
  }

  it("the answer of another browser's flow (state), a replayed code and a missing flow cookie are refused", async () => {
    const d = db.handle().db;
    const mine = await beginSsoSignIn({ email: `victim@${DOMAIN}` }, d);
    const theirs = await beginSsoSignIn({ email: `attacker@${DOMAIN}` }, d);
    if (mine.method !== "sso" || theirs.method !== "sso") throw new Error("expected single sign-on");
    const attackerBack = await idp.signInAs(theirs.redirectTo, `attacker@${DOMAIN}`);
    // Login CSRF: the attacker's code delivered to the victim's browser does not match the victim's state.
    expect(await completeSsoSignIn({ flowCookie: mine.flowCookie, callbackUrl: attackerBack, ip }, d)).toMatchObject({ ok: false, reason: "sso_invalid" });
    expect(await completeSsoSignIn({ flowCookie: undefined, callbackUrl: attackerBack, ip }, d)).toMatchObject({ ok: false, reason: "sso_expired" });
    expect(await completeSsoSignIn({ flowCookie: "v1.garbage.garbage", callbackUrl: attackerBack, ip }, d)).toMatchObject({ ok: false, reason: "sso_expired" });
    const ok = await completeSsoSignIn({ flowCookie: theirs.flowCookie, callbackUrl: attackerBack, ip }, d);
    expect(ok).toMatchObject({ ok: true });
    // The same code a second time: the provider refuses it (and revokes what it issued).
    expect(await completeSsoSignIn({ flowCookie: theirs.flowCookie, callbackUrl: attackerBack, ip }, d)).toMatchObject({ ok: false, reason: "sso_invalid" });
  });

  it("the provider vouching for an address outside the org's domains, or an unverified one, is refused", async () => {
    const d = db.handle().db;
    const start = await beginSsoSignIn({ email: `someone@${DOMAIN}` }, d);
    if (start.method !== "sso") throw new Error("expected single sign-on");
    // The org's provider signs in a Contoso address: it does not speak for Contoso.
    const back = await idp.signInAs(start.redirectTo, "admin@contoso.example");
    expect(await completeSsoSignIn({ flowCookie: start.flowCookie, callbackUrl: back, ip }, d)).toMatchObject({ ok: false, reason: "sso_email_not_allowed" });
    const contosoAdmin = (await loadUserPrincipalByEmail(d, "admin@contoso.example"))!;
    expect(contosoAdmin.memberships.map((m) => m.orgId)).toEqual([orgIds["contoso-bank"]]);

    idp.extraClaims = { email_verified: false };
    try {
      expect(await signInThroughProvider(`unverified@${DOMAIN}`)).toMatchObject({ ok: false, reason: "sso_email_not_allowed" });
    } finally {
      idp.extraClaims = {};
    }
    expect(
      await d
        .select()
        .from(users)
        .where(eq(users.email, `unverified@${DOMAIN}`)),
    ).toEqual([]);
  });

  it("support staff and disabled accounts do not sign in through a customer's provider", async () => {
    const d = db.handle().db;
    const [staff] = await d
      .insert(users)
      .values({ email: `helpdesk@${DOMAIN}`, name: "Staff" })
      .returning();
    await d.insert(supportStaff).values({ userId: staff.id });
    expect(await signInThroughProvider(staff.email)).toMatchObject({ ok: false, reason: "sso_account_unavailable" });
    const [gone] = await d
      .insert(users)
      .values({ email: `gone@${DOMAIN}`, name: "Gone", disabledAt: new Date() })
      .returning();
    expect(await signInThroughProvider(gone.email)).toMatchObject({ ok: false, reason: "sso_account_unavailable" });
    expect(
      await d
        .select()
        .from(memberships)
        .where(and(eq(memberships.userId, gone.id))),
    ).toEqual([]);
  });

  it("not enforced, the email step offers a choice; choosing SSO goes to the provider", async () => {
    const d = db.handle().db;
    await configureOrgSso(support, { orgId: orgIds["northwind-health"], issuer: idp.issuer, clientId: idp.clientId, emailDomains: DOMAIN, reason: "relax" }, d);
    expect(await beginSsoSignIn({ email: `x@${DOMAIN}` }, d)).toEqual({ method: "choice" });
    expect((await beginSsoSignIn({ email: `x@${DOMAIN}`, sso: true }, d)).method).toBe("sso");
    expect(await authenticate({ email: `old.password@${DOMAIN}`, password: DEMO_PASSWORD, ip }, d)).toMatchObject({ ok: true });
  });

  it("a session ticket is spent by its first use", () => {
    const t = issueSsoTicket({ userId: "u", sessionVersion: 3 });
    expect(redeemSsoTicket(t)).toEqual({ userId: "u", sessionVersion: 3 });
    expect(redeemSsoTicket(t)).toBeNull();
    expect(redeemSsoTicket("made-up")).toBeNull();
  });
});
