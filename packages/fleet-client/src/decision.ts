/**
 * The per-request retention decision: one pure function, no I/O, no
 * dependencies. The console's decision endpoint, its pages and the fleet
 * client all call this one function (lib/retention/decision.ts re-exports it),
 * so the answer the fleet acts on can never differ from what the console says.
 */

export const DECISION_REASONS = [
  "zdr_all_requests",
  "zdr_on_request",
  "zdr_not_requested",
  "zdr_off",
  "not_entitled",
  "restricted",
  "product_not_eligible",
  "policy_unavailable",
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/** The fields of an effective policy (the policy API's JSON) the decision reads. */
export type DecisionPolicy = {
  plan: "free" | "pro" | "enterprise";
  zdr: { status: "off" | "requested" | "active"; honoured: boolean; scope: "all_requests" | "per_request" };
  restriction: unknown | null;
  cacheWindowSeconds: number;
  contentRetentionDays: number;
  trainingUse: boolean;
  products: { product: string; dataTypes: { zdrEligible: boolean }[] }[];
  version: number;
};

export type DecisionRequest = {
  product: string;
  /** false: the request asks for zero retention (`enable_logging=false`). Default true. */
  enableLogging?: boolean;
};

export type RetentionDecision = {
  /** false: a typed refusal (zero retention was asked and cannot be honoured); never a silent downgrade. */
  serve: boolean;
  /** Whether the fleet may keep this request's content beyond the private cache. */
  keepContent: boolean;
  /** Whether the request is served under Zero Data Retention. */
  zeroRetention: boolean;
  reason: DecisionReason;
  cacheWindowSeconds: number;
  /** Days content is kept when keepContent; 0 otherwise. */
  contentRetentionDays: number;
  /** Whether kept content may be used for training; false whenever nothing is kept. */
  trainingUse: boolean;
  /** The version of the policy the decision was made from (null when none could be read). */
  policyVersion: number | null;
};

/** The fail-closed answer: keep nothing, use nothing for training. */
export const POLICY_UNAVAILABLE: RetentionDecision = Object.freeze({
  serve: true,
  keepContent: false,
  zeroRetention: false,
  reason: "policy_unavailable",
  cacheWindowSeconds: 0,
  contentRetentionDays: 0,
  trainingUse: false,
  policyVersion: null,
});

/** A product is eligible when every one of its data types is: otherwise some content is kept. */
export function productEligible(policy: DecisionPolicy, product: string): boolean {
  const p = policy.products.find((x) => x.product === product);
  return p !== undefined && p.dataTypes.every((d) => d.zdrEligible);
}

export function decideRetention(policy: DecisionPolicy | null | undefined, request: DecisionRequest, eligible?: boolean): RetentionDecision {
  if (!policy) return POLICY_UNAVAILABLE;
  const wantsZero = request.enableLogging === false;
  let reason: DecisionReason;
  let zero = false;
  if (policy.plan !== "enterprise") reason = "not_entitled";
  else if (policy.restriction) reason = "restricted";
  else if (policy.zdr.status !== "active" || !policy.zdr.honoured) reason = "zdr_off";
  else if (!(eligible ?? productEligible(policy, request.product))) reason = "product_not_eligible";
  else if (policy.zdr.scope === "all_requests") {
    reason = "zdr_all_requests";
    zero = true;
  } else if (wantsZero) {
    reason = "zdr_on_request";
    zero = true;
  } else reason = "zdr_not_requested";

  const refused = wantsZero && !zero;
  const keep = !zero && !refused;
  return {
    serve: !refused,
    keepContent: keep,
    zeroRetention: zero,
    reason,
    cacheWindowSeconds: refused ? 0 : policy.cacheWindowSeconds,
    contentRetentionDays: keep ? policy.contentRetentionDays : 0,
    trainingUse: keep && policy.trainingUse,
    policyVersion: policy.version,
  };
}
