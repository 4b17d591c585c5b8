/**
 * The effective retention policy of an organization, derived from its one
 * retention state row. The emblem, the retention page, the policy API and the
 * audit trail all read this derivation, so they cannot disagree (invariant 2).
 * A pure function: no I/O, trivially testable.
 */
import { z } from "zod";
import { PRODUCT_IDS, PRODUCTS } from "@/lib/usage/products";
import type { retentionStates } from "@/lib/db/schema";
import { PlanSchema, RESTRICTION_REASONS, ZDR_SCOPES, ZdrStatusSchema, type Plan } from "@/lib/vocabulary";

export type RetentionStateRow = typeof retentionStates.$inferSelect;
export type { Plan };

export type EmblemState = "active" | "restricted" | null;

const isoOrNull = z.union([z.iso.datetime({ offset: true }), z.null()]);

/** The effective policy, defined once: its type, the API's answer and the OpenAPI document all derive from this schema. */
export const RetentionPolicySchema = z
  .object({
    orgId: z.uuid(),
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
                zeroRetention: z
                  .enum(["always", "on_request", "never"])
                  .meta({ description: "`always`: keep nothing; `on_request`: keep nothing when the request sets enable_logging=false; `never`: ZDR does not apply." }),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    version: z.int().min(1),
  })
  .strict()
  .meta({ id: "RetentionPolicy" });

export type EffectivePolicy = z.infer<typeof RetentionPolicySchema>;

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
