import { describe, expect, it } from "vitest";
import { restrictConsequence } from "@/lib/retention/wording";
import { describeProjectPolicy } from "@/lib/projects/describe";
import { effectivePolicy, planOffersZdr, type RetentionStateRow } from "@/lib/retention/policy";

describe("support's restrict confirmation says exactly what restricting does", () => {
  it("active ZDR: it is no longer honoured", () => {
    const r = restrictConsequence("Acme", "enterprise", "active");
    expect(r.describe).toContain("no longer honoured for Acme");
    expect(r.confirm).toContain("I want to restrict Zero Data Retention for Acme");
  });

  it("no ZDR to restrict: says so first, and that traffic does not change", () => {
    for (const [plan, status] of [
      ["enterprise", "off"],
      ["enterprise", "requested"],
      ["free", "off"],
      ["pro", "off"],
    ] as const) {
      const r = restrictConsequence("Acme", plan, status);
      expect(r.describe, `${plan}/${status}`).toMatch(/^Acme has no (active )?Zero Data Retention to restrict/);
      expect(r.describe, `${plan}/${status}`).toContain("changes nothing for its traffic");
      expect(r.describe, `${plan}/${status}`).not.toContain("no longer honoured");
      expect(r.confirm).toContain("has no active Zero Data Retention");
    }
    expect(restrictConsequence("Acme", "enterprise", "requested").describe).toContain("its request is pending");
    expect(restrictConsequence("Acme", "enterprise", "off").describe).toContain("cannot request Zero Data Retention");
    expect(restrictConsequence("Acme", "free", "off").describe).toContain("its plan (Free) does not offer it");
  });
});

describe("a plan that cannot have ZDR", () => {
  const state = { zdrStatus: "off", zdrScope: "all_requests", restriction: "none" } as unknown as RetentionStateRow;
  it("only enterprise offers ZDR", () => {
    expect(["free", "pro", "enterprise"].map((p) => planOffersZdr(p as "free"))).toEqual([false, false, true]);
  });
  it("the project's ZDR line says it is not available on the plan", () => {
    const s = { ...state, cacheWindowSeconds: 0, contentRetentionDays: 30, trainingUseOverride: null, zdrSince: null } as unknown as RetentionStateRow;
    const lines = describeProjectPolicy(effectivePolicy("free", s), effectivePolicy("free", s, null));
    expect(lines[0].sentence).toContain("not available on the Free plan");
  });
});
