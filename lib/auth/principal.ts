/**
 * Who is acting. Every function of the data access layer takes one of these
 * and checks role and tenant itself; the proxy only redirects.
 */
import type { OrgRole } from "@/lib/vocabulary";

export type { OrgRole };

export type Membership = { orgId: string; orgName: string; role: OrgRole };

export type UserPrincipal = {
  kind: "user";
  userId: string;
  email: string;
  name: string;
  /** The provider's support staff. */
  isSupport: boolean;
  /** Support staff who have not set up two-factor sign-in yet: the console stays shut until they do. */
  mustEnrolTwoFactor?: boolean;
  /** The organization the user is acting in (null for support staff without one). */
  orgId: string | null;
  role: OrgRole | null;
  memberships: Membership[];
  /** The device's sign-in session (lib/auth/sessions.ts), for a principal loaded from a browser session. */
  sessionId?: string;
};

export type ServicePrincipal = {
  kind: "service";
  tokenId: string;
  name: string;
  scopes: ServiceScope[];
};

export type SystemPrincipal = { kind: "system"; name: string };

export type Principal = UserPrincipal | ServicePrincipal | SystemPrincipal;

export const SERVICE_SCOPES = ["usage:write", "policy:read", "moderation:write", "removal:read", "removal:write"] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];
