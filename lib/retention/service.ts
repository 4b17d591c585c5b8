/**
 * The retention state machine of the design as domain functions. Each takes
 * the acting principal, a reason and a ticket reference, and commits the new
 * state, its audit entry and the notifications it owes in one transaction.
 *
 * The support-console issue implements these; the signatures are the contract
 * other features (the moderation flags API, the retention page) call.
 */
import type { Db } from "@/lib/db";
import type { Principal } from "@/lib/auth/principal";
import type { RetentionStateRow } from "./policy";

export type RestrictionReason = "high_risk_use_case" | "automated_flag" | "provider_discretion";

export type RestrictInput = {
  orgId: string;
  reason: RestrictionReason;
  note: string;
  ticketRef?: string | null;
  /** Optimistic concurrency: the version the actor saw; a stale one is a conflict. */
  expectedVersion?: number;
};

/**
 * Restricts ZDR for an organization (support staff, or a service token with
 * moderation:write for an automated flag). Not yet implemented.
 */
export async function restrictOrganization(actor: Principal, input: RestrictInput, db?: Db): Promise<RetentionStateRow> {
  void actor;
  void input;
  void db;
  throw new Error("restrictOrganization: not implemented yet (support-console issue)");
}
