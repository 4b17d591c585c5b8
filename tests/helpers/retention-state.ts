/** A retention state row for unit tests: ZDR off, no restriction, the column defaults; `over` changes what a case needs. */
import type { RetentionStateRow } from "@/lib/retention/policy";

export const TEST_ORG = "00000000-0000-4000-8000-000000000001";

export function retentionState(over: Partial<RetentionStateRow> = {}): RetentionStateRow {
  return {
    orgId: TEST_ORG,
    zdrStatus: "off",
    zdrScope: "all_requests",
    zdrSince: null,
    zdrRequestedBy: null,
    restriction: "none",
    restrictionReason: null,
    restrictionNote: null,
    restrictedSince: null,
    cacheWindowSeconds: 3600,
    contentRetentionDays: 30,
    trainingUseOverride: null,
    version: 3,
    updatedAt: new Date(0),
    ...over,
  };
}
