/**
 * The rules of who may do what, in one file. The data access layer calls
 * these with the acting principal before every read and write; pages and
 * the proxy are never the only guard.
 */
import { AppError, forbidden, notFound } from "@/lib/errors";
import type { OrgRole, Principal, ServiceScope, UserPrincipal } from "./principal";

/**
 * A customer acting on one of their organizations. Another tenant's id gets
 * 404, not 403: existence is not confirmed. A member acting as admin gets 403
 * (they can see the org exists; they just may not do this).
 */
export function assertOrgAccess(p: Principal | null, orgId: string, minRole: OrgRole = "member"): asserts p is UserPrincipal {
  if (!p || p.kind !== "user") throw new AppError("unauthorized", "Sign in first");
  const m = p.memberships.find((x) => x.orgId === orgId);
  if (!m) throw notFound("Organization not found");
  if (minRole === "admin" && m.role !== "admin") throw forbidden("Only an administrator of this organization can do this");
}

/** Support staff only; anyone else gets 404 so the console's routes are not confirmed. */
export function assertSupport(p: Principal | null): asserts p is UserPrincipal {
  if (!p || p.kind !== "user") throw new AppError("unauthorized", "Sign in first");
  if (!p.isSupport) throw notFound();
}

/** A service token with the scope. */
export function assertScope(p: Principal | null, scope: ServiceScope): void {
  if (!p || p.kind !== "service") throw new AppError("unauthorized", "A service token is required");
  if (!p.scopes.includes(scope)) throw forbidden(`This token lacks the scope ${scope}`);
}
