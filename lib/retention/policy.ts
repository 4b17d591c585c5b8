/**
 * The effective retention policy of an organization, derived from its one
 * retention state row. The emblem, the retention page, the policy API and the
 * audit trail all read this derivation, so they cannot disagree (invariant 2).
 * A pure function: no I/O, trivially testable.
 */
import { z } from "zod";
import { PRODUCT_IDS, PRODUCTS } from "@/lib/usage/products";
import type { projects, retentionStates } from "@/lib/db/schema";
import { PlanSchema, POLICY_SOURCES, RESTRICTION_REASONS, ZDR_SCOPES, ZdrStatusSchema, type Plan, type PolicySource, type ZdrScope } from "@/lib/vocabulary";

export type RetentionStateRow = typeof retentionStates.$inferSelect;
export type ProjectRow = typeof projects.$inferSelect;
/** The project fields the derivation reads (a row, or the same fields from a form). */
export type ProjectOverrides = Pick<ProjectRow, "id" | "zdrAllRequests" | "cacheWindowSeconds" | "contentRetentionDays" | "trainingUse" | "version">;

export type PolicySources = EffectivePolicy["sources"];
export type { Plan };

export type EmblemState = "active" | "restricted" | null;

const isoOrNull = z.union([z.iso.datetime({ offset: true }), z.null()]);

/** The effective policy, defined once: its type, the API's answer and the OpenAPI document all derive from this schema. */
export const RetentionPolicySchema = z
  .object({
    orgId: z.uuid(),
    projectId: z.union([z.uuid(), z.null()]).meta({ description: "The project whose effective policy this is; null for the organization's own." }),
    plan: PlanSchema,
    zdr: z
      .object({
        status: ZdrStatusSchema,
        honoured: z.boolean().meta({ description: "True only when ZDR is active, the plan is enterprise and the org is not restricted: keep no content." }),
        scope: z.enum(ZDR_SCOPES),
        since: isoOrNull,
      })
      .strict(),
    restriction: z.union([
      z
        .object({
          reason: z.enum(RESTRICTION_REASONS),
          note: z.union([z.string(), z.null()]),
          since: isoOrNull,
        })
        .strict(),
      z.null(),
    ]),
    cacheWindowSeconds: z.int().min(0).max(3600).meta({ description: "How long a private cache may hold content, at most." }),
    contentRetentionDays: z.int().min(0).max(3650).meta({ description: "Retention of content outside ZDR." }),
    trainingUse: z.boolean(),
    products: z.array(
      z
        .object({
          product: z.enum(PRODUCT_IDS),
          label: z.string(),
          dataTypes: z.array(
            z
              .object({
                dataType: z.string(),
                zdrEligible: z.boolean(),
                zeroRetention: z.enum(["always", "on_request", "never"]).meta({
                  description: "`always`: keep nothing; `on_request`: keep nothing when the request sets enable_logging=false; `never`: ZDR does not apply.",
                }),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    sources: z
      .object({
        zdrScope: z.enum(POLICY_SOURCES),
        cacheWindowSeconds: z.enum(POLICY_SOURCES),
        contentRetentionDays: z.enum(POLICY_SOURCES),
        trainingUse: z.enum(POLICY_SOURCES),
      })
      .strict()
      .meta({ description: "Where each value comes from: a project only ever tightens its organization's values (strictest wins)." }),
    version: z.int().min(1).meta({ description: "Bumped by every change (for a project: the org's plus the project's, both only grow): a strong ETag." }),
  })
  .strict()
  .meta({ id: "RetentionPolicy" });

export type EffectivePolicy = z.infer<typeof RetentionPolicySchema>;

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

/** Whether an organization on this plan can have Zero Data Retention at all (requested, enabled, honoured). */
export function planOffersZdr(plan: Plan): boolean {
  return plan === "enterprise";
}

/**
 * The effective policy of an organization, or of one of its projects: each
 * project override applies only where it is stricter than the org's value
 * (ZDR for all requests where the org's scope is per_request; a shorter cache
 * window; fewer content days; no training use), and names its source.
 */
export function effectivePolicy(plan: Plan, state: RetentionStateRow, project?: ProjectOverrides | null): EffectivePolicy {
  const restricted = state.restriction === "restricted";
  const honoured = state.zdrStatus === "active" && !restricted && planOffersZdr(plan);
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
