/**
 * Single sign-on as an org's people meet it, through a real OpenID Provider
 * (oidc-provider, tests/helpers/oidc-provider.ts) that this test process runs
 * on loopback: support staff configure it on the org's page, a person types
 * their email, signs in at the provider and lands in the console as a member
 * of that org and nowhere else. Enforced, the password is refused. A token
 * endpoint that answers an id token for another audience, or with another
 * nonce (re-signed with the provider's own key), signs nobody in.
 *
 * Each test has an org, an email domain and a provider of its own.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { auditLog, authEvents, memberships, users } from "@/lib/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { DEMO_PASSWORD } from "@/lib/demo/seed";
import { startTestIdentityProvider, type TestIdentityProvider } from "../tests/helpers/oidc-provider";
import { expect, test } from "./support/fixtures";
import { tag, type SeededOrg } from "./support/seed";

let idp: TestIdentityProvider;
test.beforeEach(async ({ baseURL }) => {
  idp = await startTestIdentityProvider({ redirectUri: `${baseURL}/api/sso/callback` });
});
test.afterEach(async () => idp?.close());

/** Support staff configure the org's identity provider on its page, as they would from the org's IT ticket. */
async function configureSso(support: Page, org: SeededOrg, domain: string, options: { enforced: boolean; baseURL: string }) {
  await support.goto(`/support/orgs/${org.id}`);
  await expect(support.getByTestId("sso-redirect-uri")).toHaveText(`${options.baseURL}/api/sso/callback`);
  const form = support.getByTestId("sso-form");
  await form.getByLabel("Issuer URL").fill(idp.issuer);
  await form.getByLabel("Client id").fill(idp.clientId);
  await form.getByLabel(/^Client secret/).fill(idp.clientSecret);
  await form.getByLabel("Email domains (comma-separated)").fill(domain);
  if (options.enforced) await form.getByLabel("Enforce: refuse passwords for these domains").check();
  await form.getByLabel("Reason").fill("IT ticket: single sign-on for the clinic");
  await form.getByRole("button", { name: "Save single sign-on" }).click();
  await expect(support.getByText(`Configured: ${domain} sign in through ${idp.issuer}`)).toBeVisible();
}

/** The provider's cookies (it shares the host 127.0.0.1 with the console; cookies ignore ports): the next visit asks who it is again. */
async function forgetProviderSession(page: Page) {
  await page.context().clearCookies({ name: /^_(session|interaction)/ });
}

async function continueWithEmail(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
}

/** The provider's own sign-in page (another origin), prefilled with the email the console sent as login_hint. */
async function signInAtProvider(page: Page, email: string) {
  await expect(page.getByRole("heading", { name: "Test identity provider" })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(idp.issuer);
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("SSO sign-in through the local OpenID provider lands a new person as a member of the right org, and nowhere else", async ({ page, as, seed, baseURL }) => {
  const org = await seed.org({ label: "SSO Clinic" });
  const other = await seed.org({ label: "SSO Other" });
  const domain = `clinic-${tag()}.test`;
  await configureSso(await as("support"), org, domain, { enforced: true, baseURL: baseURL! });

  const email = `new.nurse@${domain}`;
  await page.goto("/login");
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  await continueWithEmail(page, email);
  // Enforced: no password is asked; the browser is at the org's provider.
  await signInAtProvider(page, email);
  await expect(page).toHaveURL(/\/usage$/);
  await expect(page.getByTestId("account-name")).toHaveText(org.name);

  const db = seed.handle.db;
  const [user] = await db.select().from(users).where(eq(users.email, email));
  expect(user.passwordHash).toBeNull();
  const ms = await db.select().from(memberships).where(eq(memberships.userId, user.id));
  expect(ms.map((m) => [m.orgId, m.role])).toEqual([[org.id, "member"]]);
  expect(ms.some((m) => m.orgId === other.id)).toBe(false);
  // A member's view: an admin page tells them who the administrators are, and shows nothing of itself.
  expect((await page.goto("/members"))?.status()).toBe(200);
  await expect(page.getByTestId("admin-only")).toContainText(`Only administrators of ${org.name} can open this page.`);
  await expect(page.getByText("Invite someone")).toHaveCount(0);
  const audit = await db.select({ action: auditLog.action, orgId: auditLog.orgId }).from(auditLog).where(eq(auditLog.actorId, user.id));
  expect(audit.map((a) => a.action).sort()).toEqual(["member.joined", "sso.signed_in"]);
  expect(audit.every((a) => a.orgId === org.id)).toBe(true);
  const signIns = await db
    .select()
    .from(authEvents)
    .where(and(eq(authEvents.userId, user.id), eq(authEvents.kind, "sso_sign_in")));
  expect(signIns).toHaveLength(1);

  // Signed out and back in: the provider still knows them (that is single sign-on), the same person, still one membership.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await continueWithEmail(page, email);
  await expect(page).toHaveURL(/\/usage$/);
  expect(await db.select().from(memberships).where(eq(memberships.userId, user.id))).toHaveLength(1);
});

test("enforced SSO refuses the password, in the form and at the sign-in endpoint; not enforced, both ways work", async ({
  page,
  as,
  seed,
  request,
  baseURL,
}) => {
  const org = await seed.org({ label: "SSO Enforced" });
  const domain = `enforced-${tag()}.test`;
  const email = `had.a.password@${domain}`;
  await seed.handle.db.insert(users).values({ email, name: "Had A Password", passwordHash: await hashPassword(DEMO_PASSWORD) });
  const support = await as("support");
  await configureSso(support, org, domain, { enforced: true, baseURL: baseURL! });

  // The credentials path itself refuses, the right password included: not only the page.
  const refused = await request.post("/api/session", { data: { email, password: DEMO_PASSWORD }, headers: { origin: baseURL! } });
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ error: "sso_required", message: expect.stringMatching(/single sign-on: passwords are not accepted/) });
  expect((await request.get("/api/auth/session")).status()).toBe(200);
  expect(await (await request.get("/api/auth/session")).json()).toBeNull();

  // The page never asks for it: the email goes straight to the provider.
  await continueWithEmail(page, email);
  await expect(page.getByRole("heading", { name: "Test identity provider" })).toBeVisible();

  // Not enforced: the page offers both, and the password works again.
  await support.goto(`/support/orgs/${org.id}`);
  const form = support.getByTestId("sso-form");
  await form.getByLabel("Enforce: refuse passwords for these domains").uncheck();
  await form.getByLabel("Reason").fill("Passwords allowed during the move");
  await form.getByRole("button", { name: "Save single sign-on" }).click();
  await expect(support.getByText(`Configured: ${domain} sign in through ${idp.issuer}.`)).toBeVisible();
  await continueWithEmail(page, email);
  await expect(page.getByRole("button", { name: "Continue with single sign-on" })).toBeVisible();
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
});

test("an id token for another audience, or with a wrong nonce, signs nobody in", async ({ page, as, seed, baseURL }) => {
  const org = await seed.org({ label: "SSO Tampered" });
  const domain = `tampered-${tag()}.test`;
  await configureSso(await as("support"), org, domain, { enforced: true, baseURL: baseURL! });
  const db = seed.handle.db;

  for (const tamper of ["audience", "nonce"] as const) {
    const email = `${tamper}@${domain}`;
    // The provider's token endpoint answers an id token re-signed with its own key, for another client or another flow.
    idp.tamper = tamper;
    await forgetProviderSession(page);
    await continueWithEmail(page, email);
    await signInAtProvider(page, email);
    await expect(page).toHaveURL(/\/login\?error=sso_invalid$/);
    await expect(page.getByRole("alert").filter({ hasText: "Single sign-on failed" })).toBeVisible();
    await page.goto("/usage");
    await expect(page).toHaveURL(/\/login/);
    expect(await db.select().from(users).where(eq(users.email, email))).toEqual([]);
  }

  // The same person with an honest token is let in: the refusals were the tokens'.
  idp.tamper = null;
  await forgetProviderSession(page);
  await continueWithEmail(page, `audience@${domain}`);
  await signInAtProvider(page, `audience@${domain}`);
  await expect(page).toHaveURL(/\/usage$/);
});
