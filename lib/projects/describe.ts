/**
 * A project's effective retention policy in words a compliance officer reads
 * without help: each value, where it comes from, and what the organization
 * has when the project tightens it. Pure; both policies come from the one
 * derivation (effectivePolicy), so the words cannot disagree with the API.
 */
import { planOffersZdr, type EffectivePolicy, type PolicySources } from "@/lib/retention/policy";
import { PLAN_LABELS, type PolicySource } from "@/lib/vocabulary";

export type PolicyLine = { key: keyof PolicySources; label: string; value: string; source: PolicySource; sentence: string };

const days = (n: number) => (n === 0 ? "not kept" : `kept ${n} day${n === 1 ? "" : "s"}`);
const seconds = (n: number) => (n === 0 ? "no cache" : `at most ${n} second${n === 1 ? "" : "s"}`);

function zdrValue(p: EffectivePolicy): string {
  if (!planOffersZdr(p.plan)) return `not available on the ${PLAN_LABELS[p.plan]} plan (enterprise only)`;
  if (!p.zdr.honoured) {
    if (p.restriction) return "not in effect (the organization is restricted)";
    return p.zdr.status === "requested" ? "not in effect yet (requested)" : "not in effect";
  }
  return p.zdr.scope === "all_requests" ? "every request" : "requests that set enable_logging=false";
}

/** One line per setting of the project's effective policy, with its source. */
export function describeProjectPolicy(org: EffectivePolicy, project: EffectivePolicy): PolicyLine[] {
  const line = (key: keyof PolicySources, label: string, value: string, orgSays: string): PolicyLine => {
    const source = project.sources[key];
    const sentence =
      source === "project" ? `${label}: ${value} — set on this project; the organization ${orgSays}.` : `${label}: ${value} — the organization's setting.`;
    return { key, label, value, source, sentence };
  };
  const zdr = zdrValue(project);
  // A project asking for every request while the org's ZDR is not honoured changes nothing yet: say so.
  const zdrLine =
    project.sources.zdrScope === "project" && !project.zdr.honoured
      ? {
          key: "zdrScope" as const,
          label: "Zero Data Retention",
          value: zdr,
          source: "project" as const,
          sentence: `Zero Data Retention: ${zdr} — this project asks for every request, which applies once the organization's ZDR is active.`,
        }
      : line("zdrScope", "Zero Data Retention", zdr, "applies it only to requests that set enable_logging=false");
  return [
    zdrLine,
    line("contentRetentionDays", "Content", days(project.contentRetentionDays), `keeps ${org.contentRetentionDays}`),
    line("cacheWindowSeconds", "Private cache", seconds(project.cacheWindowSeconds), `allows ${org.cacheWindowSeconds} seconds`),
    line("trainingUse", "Training use", project.trainingUse ? "allowed under the plan" : "never", "allows it under its plan"),
  ];
}

/** The effective values in one sentence (notices, audit summaries). */
export function summarizeProjectPolicy(org: EffectivePolicy, project: EffectivePolicy): string {
  return describeProjectPolicy(org, project)
    .map((l) => l.sentence)
    .join(" ");
}
