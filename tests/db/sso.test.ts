import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "@/lib/auth/credentials";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { configureOrgSso, getOrgSso, removeOrgSso, ssoProviderConfigs } from "@/lib/sso/config";
import { ssoForEmail } from "@/lib/auth/sso-domains";
import { AppError } from "@/lib/errors";
import { auditLog, organizations, orgSso, users } from "@/lib/db/schema";
import { DEMO_PASSWORD, seedDemoWorld } from "@/lib/demo/seed";
import { hashPassword } from "@/lib/auth/password";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
let support: UserPrincipal;
let admin: UserPrincipal;
const orgIds: Record<string, string> = {};

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  for (const o of await d.select().from(organizations)) orgIds[o.slug] = o.id;
  support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  admin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  await d.insert(users).values({ email: "nurse@northwind-sso.example", name: "Nurse", passwordHash: await hashPassword(DEMO_PASSWORD) });
});

async function failure(p: Promise<unknown>): Promise<{ code: string; fields?: string[] } | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.code, fields: err.details?.fields };
  }
}

const base = () => ({
  orgId: orgIds["northwind-health"],
  issuer: "https://login.northwind-sso.example/",
  clientId: "zdr-console",
  clientSecret: "client-secret-1",
  emailDomains: "Northwind-SSO.example, @clinic.northwind-sso.example",
  reason: "IT asked for SSO",
});

describe(`single sign-on configuration on ${testDbKind}`, () => {
  it("only support staff configure it; an admin of the org gets not found", async () => {
    const d = db.handle().db;
    expect(await failure(configureOrgSso(admin, base(), d))).toMatchObject({ code: "not_found" });
    expect(await failure(configureOrgSso(null, base(), d))).toMatchObject({ code: "unauthorized" });
    expect(await d.select().from(orgSso)).toEqual([]);
  });

  it("refuses bad input naming the field", async () => {
    const d = db.handle().db;
    expect(await failure(configureOrgSso(support, { ...base(), issuer: "http://login.northwind-sso.example" }, d))).toMatchObject({
      code: "invalid",
      fields: ["issuer"],
    });
    const domains = await failure(configureOrgSso(support, { ...base(), emailDomains: "not a domain!" }, d));
    expect(domains?.code).toBe("invalid");
    expect(domains?.fields?.length && domains.fields.every((f) => f.startsWith("emailDomains"))).toBe(true);
    expect(await failure(configureOrgSso(support, { ...base(), clientSecret: "" }, d))).toMatchObject({ code: "invalid", fields: ["clientSecret"] });
    expect(await failure(configureOrgSso(support, { ...base(), reason: " " }, d))).toMatchObject({ code: "invalid", fields: ["reason"] });
  });

  it("saves a sealed secret, normalised domains and an audit entry; the page view holds no secret", async () => {
    const d = db.handle().db;
    await configureOrgSso(support, base(), d);
    const [row] = await d.select().from(orgSso);
    expect(row.issuer).toBe("https://login.northwind-sso.example");
    expect(row.clientSecretSealed).not.toContain("client-secret-1");
    const view = await getOrgSso(support, orgIds["northwind-health"], d);
    expect(view).toMatchObject({ emailDomains: ["clinic.northwind-sso.example", "northwind-sso.example"], enforced: false });
    expect(JSON.stringify(view)).not.toContain("client-secret");
    expect(await ssoProviderConfigs(d)).toEqual([
      { orgId: orgIds["northwind-health"], issuer: "https://login.northwind-sso.example", clientId: "zdr-console", clientSecret: "client-secret-1" },
    ]);
    const audit = await d.select().from(auditLog).where(eq(auditLog.action, "sso.configured"));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain("client-secret-1");
  });

  it("another org cannot take a domain already signing in elsewhere", async () => {
    const d = db.handle().db;
    const taken = await failure(
      configureOrgSso(support, { ...base(), orgId: orgIds["contoso-bank"], emailDomains: "contoso-sso.example, northwind-sso.example" }, d),
    );
    expect(taken).toMatchObject({ code: "invalid", fields: ["emailDomains"] });
    expect(await ssoForEmail(d, "someone@northwind-sso.example")).toMatchObject({ orgId: orgIds["northwind-health"] });
    expect(await ssoForEmail(d, "someone@contoso-sso.example")).toBeNull();
  });

  it("with SSO not enforced the password still works; enforced, it is refused for the domain (known or not) and only for it", async () => {
    const d = db.handle().db;
    const ip = "192.0.2.90";
    expect(await authenticate({ email: "nurse@northwind-sso.example", password: DEMO_PASSWORD, ip }, d)).toMatchObject({ ok: true });
    // An update without a secret keeps the stored one.
    await configureOrgSso(support, { ...base(), clientSecret: "", enforced: "on" }, d);
    expect((await ssoProviderConfigs(d))[0].clientSecret).toBe("client-secret-1");
    expect(await authenticate({ email: "nurse@northwind-sso.example", password: DEMO_PASSWORD, ip }, d)).toEqual({ ok: false, reason: "sso_required" });
    expect(await authenticate({ email: "NOBODY@Clinic.Northwind-SSO.example", password: "x", ip }, d)).toEqual({ ok: false, reason: "sso_required" });
    expect(await authenticate({ email: "admin@northwind.example", password: DEMO_PASSWORD, ip }, d)).toMatchObject({ ok: true });
    await removeOrgSso(support, { orgId: orgIds["northwind-health"], reason: "moved IdP" }, d);
    expect(await authenticate({ email: "nurse@northwind-sso.example", password: DEMO_PASSWORD, ip }, d)).toMatchObject({ ok: true });
    expect(await ssoForEmail(d, "nurse@northwind-sso.example")).toBeNull();
  });
});
