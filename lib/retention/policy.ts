/**
 * The effective retention policy of an organization, derived from its one
 * retention state row. The emblem, the retention page, the policy API and the
 * audit trail all read this derivation, so they cannot disagree (invariant 2).
 * A pure function: no I/O, trivially testable.
 */
import { PRODUCTS, type Product } from "@/lib/usage/products";
import type { retentionStates } from "@/lib/db/schema";
import type { Plan, RestrictionReason, ZdrScope, ZdrStatus } from "@/lib/vocabulary";

export type RetentionStateRow = typeof retentionStates.$inferSelect;
export type { Plan };

export type EmblemState = "active" | "restricted" | null;

export type EffectivePolicy = {
  orgId: string;
  plan: Plan;
  zdr: {
    status: ZdrStatus;
    /** True only when ZDR is active and not restricted: the fleet may keep no content. */
    honoured: boolean;
    scope: ZdrScope;
    since: string | null;
  };
  restriction: { reason: RestrictionReason; note: string | null; since: string | null } | null;
  cacheWindowSeconds: number;
  contentRetentionDays: number;
  /** Whether content kept outside ZDR may be used for training (free plan, unless a contract says otherwise). */
  trainingUse: boolean;
  products: {
    product: Product;
    label: string;
    dataTypes: { dataType: string; zdrEligible: boolean; zeroRetention: "always" | "on_request" | "never" }[];
  }[];
  /** Bumped by every change: a strong ETag for the policy API. */
  version: number;
};

export function effectivePolicy(plan: Plan, state: RetentionStateRow): EffectivePolicy {
  const restricted = state.restriction === "restricted";
  const honoured = state.zdrStatus === "active" && !restricted && plan === "enterprise";
  const perRequest = state.zdrScope === "per_request";
  return {
    orgId: state.orgId,
    plan,
    zdr: {
      status: state.zdrStatus,
      honoured,
      scope: state.zdrScope,
      since: state.zdrSince ? state.zdrSince.toISOString() : null,
    },
    restriction: restricted
      ? {
          reason: state.restrictionReason!,
          note: state.restrictionNote,
          since: state.restrictedSince ? state.restrictedSince.toISOString() : null,
        }
      : null,
    cacheWindowSeconds: state.cacheWindowSeconds,
    contentRetentionDays: state.contentRetentionDays,
    trainingUse: state.trainingUseOverride ?? plan === "free",
    products: PRODUCTS.map((p) => ({
      product: p.id,
      label: p.label,
      dataTypes: p.dataTypes.map((d) => ({
        dataType: d.dataType,
        zdrEligible: d.zdrEligible,
        zeroRetention: !honoured || !d.zdrEligible ? "never" : perRequest ? "on_request" : "always",
      })),
    })),
    version: state.version,
  };
}

/** What the emblem above the account name shows: never claims ZDR while restricted. */
export function emblemState(policy: EffectivePolicy): EmblemState {
  if (policy.restriction) return "restricted";
  return policy.zdr.honoured ? "active" : null;
}
