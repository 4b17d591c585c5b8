/**
 * Single sign-on per organization (OpenID Connect), configured by support
 * staff on the org's support page: the issuer, the client id and secret
 * the org's identity provider gave, the email domains it vouches for, and
 * whether passwords are refused for those domains. One org per domain (the
 * primary key of sso_domains). The client secret is sealed. Which domain
 * goes where is read at sign-in by lib/auth/sso-domains.ts.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Tx } from "@/lib/db";
import { organizations, orgSso, ssoDomains } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { AppError, notFound, parseInput, ValidationError } from "@/lib/errors";
import { derivedKey, seal, unseal } from "@/lib/sealed";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";

const sealingKey = () => derivedKey("sso client secrets v1");
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https, or plain http to this machine only (a local identity provider in development and tests). */
const Issuer = z
  .string()
  .trim()
  .max(500, "The issuer URL is too long")
  .pipe(z.url({ error: "Enter the issuer URL, such as https://login.example.com" }))
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  }, "The issuer must be an https URL")
  .refine((u) => !new URL(u).search && !new URL(u).hash, "The issuer URL has no query or fragment")
  .transform((u) => u.replace(/\/+$/, ""));

export const OrgSsoInput = z.object({
  orgId: z.uuid({ error: "Unknown organization" }),
  issuer: Issuer,
  clientId: z.string().trim().min(1, "Enter the client id").max(255, "The client id is too long"),
  /** Empty on an update keeps the stored secret. */
  clientSecret: z.string().max(1024, "The client secret is too long").optional().default(""),
  // A form sends one text; the parsed list (a second parse, in the domain) is read the same way.
  emailDomains: z
    .preprocess((v) => (Array.isArray(v) ? v.join(",") : v), z.string().max(2000, "Too many email domains"))
    .transform((s) => [
      ...new Set(
        s
          .split(/[\s,]+/)
          .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.string().regex(DOMAIN, "Each email domain looks like example.com"))
        .min(1, "Enter at least one email domain")
        .max(20, "At most 20 email domains"),
    ),
  enforced: z
    .union([z.literal("on"), z.literal("true"), z.literal(""), z.boolean()])
    .optional()
    .transform((v) => v === true || v === "on" || v === "true"),
  reason: z.string().trim().min(1, "Say why (the audit log keeps it)").max(500, "The reason is too long"),
  ticketRef: z.string().trim().max(64, "The ticket reference is too long").optional().default(""),
});
export type OrgSsoInput = z.input<typeof OrgSsoInput> | z.output<typeof OrgSsoInput>;

export type OrgSsoView = { issuer: string; clientId: string; emailDomains: string[]; enforced: boolean; updatedAt: Date };

/** The org's SSO configuration for the support page, without the secret. */
export async function getOrgSso(actor: Principal | null, orgId: string, db: Tx = getDb()): Promise<OrgSsoView | null> {
  authorize(actor, "sso.manage");
  const [row] = await db.select().from(orgSso).where(eq(orgSso.orgId, orgId));
  if (!row) return null;
  const domains = await db.select({ d: ssoDomains.domain }).from(ssoDomains).where(eq(ssoDomains.orgId, orgId));
  return { issuer: row.issuer, clientId: row.clientId, emailDomains: domains.map((d) => d.d).sort(), enforced: row.enforced, updatedAt: row.updatedAt };
}

/** Creates or replaces the org's SSO configuration; a domain another org already signs in with is refused. */
export async function configureOrgSso(actor: Principal | null, input: OrgSsoInput, db: Tx = getDb()): Promise<{ orgName: string }> {
  authorize(actor, "sso.manage");
  const i = parseInput(OrgSsoInput, input);
  return db.transaction(async (tx) => {
    const [org] = await tx.select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.id, i.orgId));
    if (!org) throw notFound("Organization not found");
    const [existing] = await tx.select().from(orgSso).where(eq(orgSso.orgId, org.id)).for("update");
    if (!existing && !i.clientSecret) throw new ValidationError("Enter the client secret.", [{ path: "clientSecret", problem: "Enter the client secret" }]);
    const taken = (await tx.select().from(ssoDomains)).filter((d) => d.orgId !== org.id && i.emailDomains.includes(d.domain));
    if (taken.length) {
      throw new ValidationError("Check the highlighted fields.", [
        { path: "emailDomains", problem: `Another organization already signs in with ${taken.map((t) => t.domain).join(", ")}` },
      ]);
    }
    const secretSealed = i.clientSecret ? seal(i.clientSecret, sealingKey()) : existing!.clientSecretSealed;
    const values = {
      issuer: i.issuer,
      clientId: i.clientId,
      clientSecretSealed: secretSealed,
      enforced: i.enforced,
      updatedBy: actor.userId,
      updatedAt: new Date(),
    };
    await tx
      .insert(orgSso)
      .values({ orgId: org.id, ...values })
      .onConflictDoUpdate({ target: orgSso.orgId, set: values });
    await tx.delete(ssoDomains).where(eq(ssoDomains.orgId, org.id));
    await tx.insert(ssoDomains).values(i.emailDomains.map((domain) => ({ domain, orgId: org.id })));
    await appendAudit(tx, {
      orgId: org.id,
      actorType: "support",
      actorId: actor.userId,
      actorLabel: actor.email,
      action: "sso.configured",
      before: existing ? { issuer: existing.issuer, clientId: existing.clientId, enforced: existing.enforced } : null,
      after: { issuer: i.issuer, clientId: i.clientId, emailDomains: i.emailDomains, enforced: i.enforced, secretChanged: Boolean(i.clientSecret) },
      reason: i.reason,
      ticketRef: i.ticketRef || null,
    });
    return { orgName: org.name };
  });
}

export const OrgSsoRemoval = z.object({
  orgId: z.uuid({ error: "Unknown organization" }),
  reason: z.string().trim().min(1, "Say why (the audit log keeps it)").max(500, "The reason is too long"),
  ticketRef: z.string().trim().max(64, "The ticket reference is too long").optional().default(""),
});

export async function removeOrgSso(actor: Principal | null, input: z.input<typeof OrgSsoRemoval>, db: Tx = getDb()): Promise<{ orgName: string }> {
  authorize(actor, "sso.manage");
  const i = parseInput(OrgSsoRemoval, input);
  return db.transaction(async (tx) => {
    const [org] = await tx.select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.id, i.orgId));
    if (!org) throw notFound("Organization not found");
    const removed = await tx.delete(orgSso).where(eq(orgSso.orgId, org.id)).returning({ issuer: orgSso.issuer });
    if (!removed.length) throw new AppError("conflict", `${org.name} has no single sign-on to remove`);
    await appendAudit(tx, {
      orgId: org.id,
      actorType: "support",
      actorId: actor.userId,
      actorLabel: actor.email,
      action: "sso.removed",
      before: { issuer: removed[0].issuer },
      after: null,
      reason: i.reason,
      ticketRef: i.ticketRef || null,
    });
    return { orgName: org.name };
  });
}

/** Every configured identity provider, with its secret, for Auth.js's provider list (server only). */
export async function ssoProviderConfigs(db: Tx = getDb()): Promise<{ orgId: string; issuer: string; clientId: string; clientSecret: string }[]> {
  const rows = await db.select().from(orgSso);
  return rows.map((r) => ({ orgId: r.orgId, issuer: r.issuer, clientId: r.clientId, clientSecret: unseal(r.clientSecretSealed, sealingKey()) }));
}

/** One org's client secret, unsealed, for the token exchange of its sign-ins (server only). */
export async function ssoClientSecret(db: Tx, orgId: string): Promise<string> {
  const [row] = await db.select({ sealed: orgSso.clientSecretSealed }).from(orgSso).where(eq(orgSso.orgId, orgId));
  if (!row) throw notFound("Single sign-on is not configured");
  return unseal(row.sealed, sealingKey());
}
