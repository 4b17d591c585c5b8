import { describe, expect, it } from "vitest";
import { effectivePolicy } from "@/lib/retention/policy";
import { describeProjectPolicy } from "@/lib/projects/describe";
import { contentStatements, contentSummary } from "@/lib/retention/wording";
import { PRODUCTS } from "@/lib/usage/products";
import { retentionState } from "../helpers/retention-state";

const state = retentionState;
const project = {
  id: "00000000-0000-4000-8000-000000000002",
  zdrAllRequests: false,
  cacheWindowSeconds: null,
  contentRetentionDays: null,
  trainingUse: null,
  version: 1,
};

describe("what /retention says about content", () => {
  it("says 'never kept anywhere' only for the data types ZDR covers now, and how long the rest is kept", () => {
    const p = effectivePolicy("enterprise", state({ zdrStatus: "active" }));
    const groups = contentSummary(p);
    const eligible = PRODUCTS.flatMap((x) => x.dataTypes.filter((d) => d.zdrEligible).map((d) => d.dataType));
    expect(groups.never_kept.map((s) => s.dataType).sort()).toEqual([...eligible].sort());
    // Voice cloning samples and dubbing media are not covered: the page must say they are kept.
    for (const s of groups.kept) expect(s.sentence).toBe("not in usage records, but kept 30 days (plus up to 30 days in backups)");
    expect(groups.kept.some((s) => s.product === "voice_cloning")).toBe(true);
    expect(groups.kept.some((s) => s.product === "dubbing")).toBe(true);
  });

  it("claims nothing is never kept while restricted, off, or on the free plan (where training use is said too)", () => {
    for (const p of [
      effectivePolicy("enterprise", state({ zdrStatus: "active", restriction: "restricted", restrictionReason: "automated_flag" })),
      effectivePolicy("enterprise", state({})),
      effectivePolicy("free", state({})),
    ]) {
      expect(contentSummary(p).never_kept).toEqual([]);
      expect(contentSummary(p).not_kept_on_request).toEqual([]);
    }
    expect(contentStatements(effectivePolicy("free", state({})))[0].sentence).toContain("may be used for training");
  });

  it("per-request ZDR says so, and a project asking for every request turns it into never kept", () => {
    const s = state({ zdrStatus: "active", zdrScope: "per_request" });
    const org = effectivePolicy("enterprise", s);
    expect(contentSummary(org).never_kept).toEqual([]);
    expect(contentSummary(org).not_kept_on_request[0].sentence).toMatch(
      /^never kept anywhere when the request sets enable_logging=false; otherwise not in usage records, but kept 30 days/,
    );
    const strict = effectivePolicy("enterprise", s, { ...project, zdrAllRequests: true, contentRetentionDays: 7 });
    expect(contentSummary(strict).not_kept_on_request).toEqual([]);
    expect(contentSummary(strict).kept[0].sentence).toContain("kept 7 days");
    const lines = describeProjectPolicy(org, strict);
    expect(lines.find((l) => l.key === "zdrScope")!.sentence).toBe(
      "Zero Data Retention: every request — set on this project; the organization applies it only to requests that set enable_logging=false.",
    );
  });
});
