/**
 * The effective retention policy of an organization, derived from its one
 * retention state row. The emblem, the retention page, the policy API and the
 * audit trail all read this derivation, so they cannot disagree (invariant 2).
 * A pure function: no I/O, trivially testable.
 */
import { PRODUCTS, type Product } from "@/lib/usage/products";
import type { projects, retentionStates } from "@/lib/db/schema";
import type { Plan, PolicySource, RestrictionReason, ZdrScope, ZdrStatus } from "@/lib/vocabulary";

export type RetentionStateRow = typeof retentionStates.$inferSelect;
export type ProjectRow = typeof projects.$inferSelect;
/** The project fields the derivation reads (a row, or the same fields from a form). */
export type ProjectOverrides = Pick<ProjectRow, "id" | "zdrAllRequests" | "cacheWindowSeconds" | "contentRetentionDays" | "trainingUse" | "version">;

export type PolicySources = { zdrScope: PolicySource; cacheWindowSeconds: PolicySource; contentRetentionDays: PolicySource; trainingUse: PolicySource };
export type { Plan };

export type EmblemState = "active" | "restricted" | null;

export type EffectivePolicy = {
  orgId: string;
  /** The project whose effective policy this is, or null for the organization's own. */
  projectId: string | null;
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
  /** Where each value came from: a project may only tighten its organization's (strictest wins). */
  sources: PolicySources;
  /** Bumped by every change (for a project: the org's plus the project's, both only grow): a strong ETag for the policy API. */
  version: number;
};

const ORG_SOURCES: PolicySources = Object.freeze({
  zdrScope: "organization",
  cacheWindowSeconds: "organization",
  contentRetentionDays: "organization",
  trainingUse: "organization",
});

/** The tighter of the org's value and a project's override, with its source; a looser override is ignored (never loosens). */
function tighter(org: number, project: number | null | undefined): [number, PolicySource] {
  return project != null && project < org ? [project, "project"] : [org, "organization"];
}

/**
 * The effective policy of an organization, or of one of its projects: each
 * project override applies only where it is stricter than the org's value
 * (ZDR for all requests where the org's scope is per_request; a shorter cache
 * window; fewer content days; no training use), and names its source.
 */
export function effectivePolicy(plan: Plan, state: RetentionStateRow, project?: ProjectOverrides | null): EffectivePolicy {
  const restricted = state.restriction === "restricted";
  const honoured = state.zdrStatus === "active" && !restricted && plan === "enterprise";
  const orgTraining = state.trainingUseOverride ?? plan === "free";
  const scopeFromProject = !!project?.zdrAllRequests && state.zdrScope === "per_request";
  const zdrScope: ZdrScope = scopeFromProject ? "all_requests" : state.zdrScope;
  const [cacheWindowSeconds, cacheSource] = tighter(state.cacheWindowSeconds, project?.cacheWindowSeconds);
  const [contentRetentionDays, daysSource] = tighter(state.contentRetentionDays, project?.contentRetentionDays);
  const trainingFromProject = project?.trainingUse === false && orgTraining;
  const sources: PolicySources = project
    ? {
        zdrScope: scopeFromProject ? "project" : "organization",
        cacheWindowSeconds: cacheSource,
        contentRetentionDays: daysSource,
        trainingUse: trainingFromProject ? "project" : "organization",
      }
    : ORG_SOURCES;
  const perRequest = zdrScope === "per_request";
  return {
    orgId: state.orgId,
    projectId: project?.id ?? null,
    plan,
    zdr: {
      status: state.zdrStatus,
      honoured,
      scope: zdrScope,
      since: state.zdrSince ? state.zdrSince.toISOString() : null,
    },
    restriction: restricted
      ? {
          reason: state.restrictionReason!,
          note: state.restrictionNote,
          since: state.restrictedSince ? state.restrictedSince.toISOString() : null,
        }
      : null,
    cacheWindowSeconds,
    contentRetentionDays,
    trainingUse: trainingFromProject ? false : orgTraining,
    products: PRODUCTS.map((p) => ({
      product: p.id,
      label: p.label,
      dataTypes: p.dataTypes.map((d) => ({
        dataType: d.dataType,
        zdrEligible: d.zdrEligible,
        zeroRetention: !honoured || !d.zdrEligible ? "never" : perRequest ? "on_request" : "always",
      })),
    })),
    sources,
    version: state.version + (project?.version ?? 0),
  };
}

/** What the emblem above the account name shows: never claims ZDR while restricted. */
export function emblemState(policy: EffectivePolicy): EmblemState {
  if (policy.restriction) return "restricted";
  return policy.zdr.honoured ? "active" : null;
}
