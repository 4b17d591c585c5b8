/**
 * Which email domains sign in through an organization's identity provider
 * (configured by support staff in lib/sso/config.ts). Read by the password
 * sign-in before any password is checked: enforced SSO refuses passwords.
 */
import { eq } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { orgSso, ssoDomains } from "@/lib/db/schema";

export type SsoRoute = { orgId: string; enforced: boolean };

/** Whether an email's domain signs in through an org's identity provider (read before any password is checked). */
export async function ssoForEmail(db: Tx, email: string): Promise<SsoRoute | null> {
  const domain = email.trim().toLowerCase().split("@").pop() ?? "";
  if (!domain) return null;
  const [row] = await db
    .select({ orgId: orgSso.orgId, enforced: orgSso.enforced })
    .from(ssoDomains)
    .innerJoin(orgSso, eq(orgSso.orgId, ssoDomains.orgId))
    .where(eq(ssoDomains.domain, domain));
  return row ? { orgId: row.orgId, enforced: row.enforced } : null;
}
