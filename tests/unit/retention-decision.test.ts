/**
 * The per-request decision over every combination of plan × ZDR status ×
 * scope × restriction × product eligibility × enableLogging × project
 * override, against an independent statement of the rules; and a property:
 * a project never yields a looser answer than its organization.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { effectivePolicy, type ProjectOverrides } from "@/lib/retention/policy";
import { decideRetention, DECISION_REASONS, POLICY_UNAVAILABLE } from "@/lib/retention/decision";
import { PLANS, ZDR_SCOPES, ZDR_STATUSES, type Plan, type ZdrScope, type ZdrStatus } from "@/lib/vocabulary";
import { retentionState } from "../helpers/retention-state";

const state = retentionState;

const project = (over: Partial<ProjectOverrides> = {}): ProjectOverrides => ({
  id: "00000000-0000-4000-8000-0000000000aa",
  zdrAllRequests: false,
  cacheWindowSeconds: null,
  contentRetentionDays: null,
  trainingUse: null,
  version: 2,
  ...over,
});

const OVERRIDES = {
  none: null,
  empty: project(),
  zdrAll: project({ zdrAllRequests: true }),
  tighter: project({ cacheWindowSeconds: 60, contentRetentionDays: 7, trainingUse: false }),
  looserIgnored: project({ cacheWindowSeconds: 3600, contentRetentionDays: 3650 }),
} as const;

// Eligible: text_to_speech (every data type eligible); not eligible: voice_cloning.
const PRODUCTS = { eligible: "text_to_speech", notEligible: "voice_cloning" } as const;

/** The rules, stated once more independently of the implementation. */
function expected(plan: Plan, status: ZdrStatus, scope: ZdrScope, restricted: boolean, eligible: boolean, enableLogging: boolean, ov: ProjectOverrides | null) {
  const effScope = ov?.zdrAllRequests ? "all_requests" : scope;
  const reason =
    plan !== "enterprise"
      ? "not_entitled"
      : restricted
        ? "restricted"
        : status !== "active"
          ? "zdr_off"
          : !eligible
            ? "product_not_eligible"
            : effScope === "all_requests"
              ? "zdr_all_requests"
              : !enableLogging
                ? "zdr_on_request"
                : "zdr_not_requested";
  const zero = reason === "zdr_all_requests" || reason === "zdr_on_request";
  const serve = enableLogging || zero;
  const keep = serve && !zero;
  const days = Math.min(30, ov?.contentRetentionDays ?? 30);
  const training = plan === "free" && ov?.trainingUse !== false;
  return { serve, keepContent: keep, zeroRetention: zero, reason, contentRetentionDays: keep ? days : 0, trainingUse: keep && training };
}

describe("decideRetention, every combination", () => {
  const cases: [Plan, ZdrStatus, ZdrScope, boolean, keyof typeof PRODUCTS, boolean, keyof typeof OVERRIDES][] = [];
  for (const plan of PLANS)
    for (const status of ZDR_STATUSES)
      for (const scope of ZDR_SCOPES)
        for (const restricted of [false, true])
          for (const product of Object.keys(PRODUCTS) as (keyof typeof PRODUCTS)[])
            for (const enableLogging of [true, false])
              for (const ov of Object.keys(OVERRIDES) as (keyof typeof OVERRIDES)[]) cases.push([plan, status, scope, restricted, product, enableLogging, ov]);

  it("covers all 3 × 3 × 2 × 2 × 2 × 2 × 5 combinations", () => expect(cases).toHaveLength(720));

  it.each(cases)("%s, ZDR %s, %s, restricted %s, %s product, enableLogging %s, project %s", (plan, status, scope, restricted, product, enableLogging, ov) => {
    const s = state({
      zdrStatus: status,
      zdrScope: scope,
      restriction: restricted ? "restricted" : "none",
      restrictionReason: restricted ? "automated_flag" : null,
    });
    const policy = effectivePolicy(plan, s, OVERRIDES[ov]);
    const d = decideRetention(policy, { product: PRODUCTS[product], enableLogging });
    expect(d).toMatchObject(expected(plan, status, scope, restricted, product === "eligible", enableLogging, OVERRIDES[ov]));
    expect(DECISION_REASONS).toContain(d.reason);
    expect(d.policyVersion).toBe(3 + (OVERRIDES[ov]?.version ?? 0));
    if (!d.serve) expect(d.keepContent).toBe(false);
  });

  it("no policy, or an unknown product, fails closed", () => {
    expect(decideRetention(null, { product: "llm" })).toEqual(POLICY_UNAVAILABLE);
    expect(POLICY_UNAVAILABLE.keepContent).toBe(false);
    const d = decideRetention(effectivePolicy("enterprise", state({ zdrStatus: "active" })), { product: "nope" });
    expect(d.reason).toBe("product_not_eligible");
  });
});

describe("effectivePolicy with a project", () => {
  it("the org's own policy names every source organization", () => {
    expect(effectivePolicy("enterprise", state({})).sources).toEqual({
      zdrScope: "organization",
      cacheWindowSeconds: "organization",
      contentRetentionDays: "organization",
      trainingUse: "organization",
    });
  });

  it("a tighter project value wins and names the project; a looser one is ignored", () => {
    const p = effectivePolicy(
      "free",
      state({ zdrScope: "per_request" }),
      project({ zdrAllRequests: true, contentRetentionDays: 7, cacheWindowSeconds: 7200, trainingUse: false }),
    );
    expect(p.contentRetentionDays).toBe(7);
    expect(p.cacheWindowSeconds).toBe(3600);
    expect(p.trainingUse).toBe(false);
    expect(p.zdr.scope).toBe("all_requests");
    expect(p.sources).toEqual({ zdrScope: "project", cacheWindowSeconds: "organization", contentRetentionDays: "project", trainingUse: "project" });
  });
});

describe("a project never loosens (property)", () => {
  const arbState = fc.record({
    plan: fc.constantFrom(...PLANS),
    zdrStatus: fc.constantFrom(...ZDR_STATUSES),
    zdrScope: fc.constantFrom(...ZDR_SCOPES),
    restricted: fc.boolean(),
    cacheWindowSeconds: fc.integer({ min: 0, max: 3600 }),
    contentRetentionDays: fc.integer({ min: 0, max: 3650 }),
    trainingUseOverride: fc.option(fc.boolean(), { nil: null }),
  });
  const arbProject = fc.record({
    zdrAllRequests: fc.boolean(),
    cacheWindowSeconds: fc.option(fc.integer({ min: 0, max: 3600 }), { nil: null }),
    contentRetentionDays: fc.option(fc.integer({ min: 0, max: 3650 }), { nil: null }),
    trainingUse: fc.option(fc.constant(false), { nil: null }),
  });
  it("keepContent, days, cache window and training use are never more, zero retention never less", () => {
    fc.assert(
      fc.property(
        arbState,
        arbProject,
        fc.constantFrom("text_to_speech", "voice_cloning", "llm", "dubbing"),
        fc.boolean(),
        (st, pr, product, enableLogging) => {
          const s = state({ ...st, restriction: st.restricted ? "restricted" : "none", restrictionReason: st.restricted ? "high_risk_use_case" : null });
          const org = decideRetention(effectivePolicy(st.plan, s), { product, enableLogging });
          const prj = decideRetention(effectivePolicy(st.plan, s, project(pr)), { product, enableLogging });
          expect(prj.keepContent <= org.keepContent).toBe(true);
          expect(prj.contentRetentionDays).toBeLessThanOrEqual(org.contentRetentionDays);
          expect(prj.cacheWindowSeconds).toBeLessThanOrEqual(org.cacheWindowSeconds);
          expect(prj.trainingUse <= org.trainingUse).toBe(true);
          expect(prj.zeroRetention >= org.zeroRetention).toBe(true);
          expect(prj.serve).toBe(org.serve || prj.zeroRetention);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
