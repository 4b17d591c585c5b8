/**
 * Who may do what, in one table. Every domain function calls `authorize`
 * with the acting principal before it reads or writes; server actions (the
 * wrapper in lib/actions/action.ts) call it too, but pages, actions and the
 * proxy are never the only guard.
 *
 * A row names the principals that may perform an operation:
 * - `customer`: a member of the organization in `{ orgId }`, with at least
 *   this role;
 * - `support`: the provider's support staff;
 * - `scope`: a service token holding this scope;
 * - `system`: the command line acting as the system (npm run token:create).
 * - `enrolling`: also open to support staff who have not yet set up their
 *   second factor; every other support row stays shut to them until they do.
 *
 * Denials say as little as they must: another tenant's org is 404 (its
 * existence is not confirmed), a member acting as admin is 403 (they can see
 * the org), the support console's operations are 404 to everyone else.
 */
import { AppError, forbidden, notFound } from "@/lib/errors";
import type { OrgRole, Principal, ServicePrincipal, ServiceScope, SystemPrincipal, UserPrincipal } from "./principal";

type Rule = { customer?: OrgRole; support?: true; scope?: ServiceScope; system?: true; enrolling?: true };

export const PERMISSIONS = {
  // The customer app
  // The org's name, time zone and active administrators (the dates of its pages; who a member asks for an admin page).
  "org.read": { customer: "member" },
  "usage.read": { customer: "member" },
  "retention.read": { customer: "member" },
  "retention.audit.read": { customer: "admin" },
  "retention.audit.export": { customer: "admin" },
  "retention.statements.read": { customer: "admin" },
  "retention.request": { customer: "admin" },
  "retention.request.withdraw": { customer: "admin" },
  "notices.read": { customer: "member" },
  "notices.acknowledge": { customer: "admin" },
  "members.manage": { customer: "admin" },
  "members.invitations.resend": { customer: "admin" },
  "removal.request": { customer: "admin" },
  "removal.read": { customer: "admin", support: true },
  "webhooks.manage": { customer: "admin" },
  "projects.read": { customer: "member" },
  "projects.manage": { customer: "admin" },
  // One's own account: customer admins may, support staff must (before anything else) set up a second factor.
  "account.twoFactor.manage": { customer: "admin", support: true, enrolling: true },
  // The support console
  "support.read": { support: true },
  "retention.enable": { support: true },
  "retention.disable": { support: true },
  "retention.restrict": { support: true, scope: "moderation:write" },
  "retention.lift": { support: true },
  "tokens.manage": { support: true, system: true },
  "removal.review": { support: true },
  "usage.retention.manage": { support: true },
  "outbox.read": { support: true },
  "outbox.retry": { support: true },
  "sso.manage": { support: true },
  "moderation.review": { support: true },
  // The machine API
  "usage.write": { scope: "usage:write" },
  "policy.read": { scope: "policy:read" },
  "moderation.write": { scope: "moderation:write" },
  "removal.orders.read": { scope: "removal:read" },
  "removal.orders.complete": { scope: "removal:write" },
} as const satisfies Record<string, Rule>;

export type Operation = keyof typeof PERMISSIONS;
export const OPERATIONS = Object.keys(PERMISSIONS) as Operation[];

type RuleOf<O extends Operation> = (typeof PERMISSIONS)[O];

/** The principal an operation can be performed by, so callers get the narrowed type. */
export type PrincipalFor<O extends Operation> =
  | (RuleOf<O> extends { customer: OrgRole } | { support: true } ? UserPrincipal : never)
  | (RuleOf<O> extends { scope: ServiceScope } ? ServicePrincipal : never)
  | (RuleOf<O> extends { system: true } ? SystemPrincipal : never);

export function ruleOf(operation: Operation): Rule {
  return PERMISSIONS[operation];
}

const orgName = (p: UserPrincipal, orgId: string) => p.memberships.find((m) => m.orgId === orgId)?.orgName ?? "this organization";

/**
 * Throws the AppError a principal gets for an operation it may not perform;
 * returns (narrowing the principal) when it may.
 */
export function authorize<O extends Operation>(p: Principal | null | undefined, operation: O, context: { orgId?: string } = {}): asserts p is PrincipalFor<O> {
  const rule: Rule = PERMISSIONS[operation];
  const serviceOnly = rule.scope !== undefined && !rule.customer && !rule.support;
  if (!p) throw new AppError("unauthorized", serviceOnly ? "A service token is required" : "Sign in first");

  if (p.kind === "service") {
    if (rule.scope === undefined) throw new AppError("unauthorized", "Sign in first");
    if (!p.scopes.includes(rule.scope)) throw forbidden(`This token lacks the scope ${rule.scope}`);
    return;
  }
  if (p.kind === "system") {
    if (rule.system) return;
    throw new AppError("unauthorized", "Sign in first");
  }
  // A signed-in person. Support staff without a second factor yet may only set one up.
  const asSupport = p.isSupport && (!p.mustEnrolTwoFactor || rule.enrolling === true);
  if (rule.customer) {
    const orgId = context.orgId;
    const m = orgId ? p.memberships.find((x) => x.orgId === orgId) : undefined;
    if (m) {
      if (rule.customer === "admin" && m.role !== "admin") throw forbidden(`Only an administrator of ${orgName(p, m.orgId)} can do this`);
      return;
    }
    if (rule.support && asSupport) return;
    throw notFound("Organization not found");
  }
  if (rule.support && asSupport) return;
  if (serviceOnly) throw new AppError("unauthorized", "A service token is required");
  throw notFound();
}

/** Whether `authorize` would let the principal through (for pages choosing what to show; never instead of it). */
export function isAllowed(p: Principal | null | undefined, operation: Operation, context: { orgId?: string } = {}): boolean {
  try {
    authorize(p, operation, context);
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}
