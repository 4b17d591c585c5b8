/**
 * What we say about retention, derived from the effective policy and nothing
 * else, written once:
 *
 * - `stateWording(policy)`: the one sentence per retention state (active,
 *   restricted, requested, off, not entitled) that the /retention page, the
 *   emblem, the notice and its email all print, word for word;
 * - `USAGE_RECORD_FIELDS`: what a usage record holds, the one list the
 *   sentence names and /retention's table shows (same fields, same count);
 * - `contentStatements(policy)`: per product and data type, "never kept
 *   anywhere" only for what ZDR covers right now, and for everything else
 *   how long it IS kept.
 *
 * A compliance officer pastes these into a risk questionnaire, so they are
 * never broader than the truth, and durations are in human units.
 */
import { formatDays, formatDuration } from "@/lib/intl";
import { PLAN_LABELS, type Plan, type ZdrStatus } from "@/lib/vocabulary";
import type { EffectivePolicy } from "./policy";

/**
 * Every column of a usage record: its short name in sentences and what it
 * holds. A column of usage_events without a row here fails a test, so
 * nothing says fewer fields than are kept.
 */
export const USAGE_RECORD_FIELDS: readonly { column: string; label: string; description: string }[] = [
  { column: "id", label: "event id", description: "a random event id, so each request is counted once" },
  { column: "org_id", label: "organization", description: "your organization" },
  { column: "occurred_at", label: "time", description: "when the request happened" },
  { column: "product", label: "product", description: "which product served it" },
  { column: "model", label: "model", description: "which model served it" },
  { column: "input_units", label: "input length", description: "input length (tokens, characters or seconds of audio)" },
  { column: "output_units", label: "output length", description: "output length (tokens, characters or seconds of audio)" },
  { column: "status", label: "status", description: "whether it succeeded or failed" },
  { column: "latency_ms", label: "latency", description: "how long it took, in milliseconds" },
  { column: "api_key_id", label: "API key", description: "which of your API keys made it" },
  { column: "project_id", label: "project", description: "which of your projects it belongs to, when the request named one" },
  { column: "zero_retention", label: "whether ZDR applied", description: "whether Zero Data Retention applied to it" },
  { column: "received_at", label: "time recorded", description: "when our usage pipeline recorded it" },
];

/** "event id, organization, time, … and time recorded" */
export function usageRecordFieldList(): string {
  const labels = USAGE_RECORD_FIELDS.map((f) => f.label);
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

/** "the 13 fields of a usage record (event id, organization, time, …)" */
export function usageRecordSummary(): string {
  return `the ${USAGE_RECORD_FIELDS.length} fields of a usage record (${usageRecordFieldList()})`;
}

export type RetentionStateKey = "active" | "restricted" | "requested" | "off" | "not_entitled";

export const RETENTION_STATE_LABELS: Record<RetentionStateKey, string> = {
  active: "Active",
  restricted: "Restricted",
  requested: "Pending",
  off: "Off",
  not_entitled: "Off",
};

export const ZDR_SCOPE_PHRASES = {
  all_requests: "every request of this organization",
  per_request: "requests sent with enable_logging=false",
} as const;

export function retentionStateKey(p: EffectivePolicy): RetentionStateKey {
  if (p.restriction) return "restricted";
  if (p.zdr.honoured) return "active";
  if (p.plan !== "enterprise") return "not_entitled";
  if (p.zdr.status === "requested") return "requested";
  return "off";
}

/** What the private cache may hold: nothing at a zero window, else for how long, in human units. */
export function cacheSentence(cacheWindowSeconds: number): string {
  return cacheWindowSeconds === 0
    ? "no cache holds them either."
    : `a private cache may hold them for at most ${formatDuration(cacheWindowSeconds)} while a request is served, then they are purged everywhere.`;
}

/** How long content outside ZDR is kept, and whether it trains models. */
export function keptContentSentence(p: Pick<EffectivePolicy, "contentRetentionDays" | "trainingUse">): string {
  const kept =
    p.contentRetentionDays === 0
      ? "request content is deleted once the request is served"
      : `request content is kept for ${formatDays(p.contentRetentionDays)} (plus up to 30 days in backups)`;
  return `${kept} and ${p.trainingUse ? "may be used for model training under your plan" : "is never used for model training"}.`;
}

export type StateWording = {
  key: RetentionStateKey;
  /** The badge: Active, Restricted, Pending, Off. */
  label: string;
  /** Under the emblem's title: a few words. */
  short: string;
  /** The one sentence of what this state keeps: printed the same in the page, the emblem, the notice and the email. */
  meaning: string;
};

/** The one wording of a retention state. */
export function stateWording(p: EffectivePolicy): StateWording {
  const key = retentionStateKey(p);
  const kept = keptContentSentence(p);
  let meaning: string;
  let short: string;
  switch (key) {
    case "active":
      short = "Active";
      meaning =
        `Only request metadata is kept for ${ZDR_SCOPE_PHRASES[p.zdr.scope]} to eligible products: ${usageRecordSummary()}. ` +
        `Their prompts, text, audio, transcripts and outputs are never written to a database, log or backup; ${cacheSentence(p.cacheWindowSeconds)}` +
        (p.zdr.scope === "per_request" ? ` For other requests, ${kept}` : "");
      break;
    case "restricted":
      short = "Content is kept";
      meaning = `Zero Data Retention is not honoured while the restriction stands: ${kept}`;
      break;
    case "requested":
      short = "Requested";
      meaning = `Zero Data Retention is not on yet: until support enables it, ${kept}`;
      break;
    case "not_entitled":
      short = "Not on this plan";
      meaning = `Zero Data Retention is available on the enterprise plan only: ${kept}`;
      break;
    default:
      short = "Off";
      meaning = `Zero Data Retention is off: ${kept}`;
  }
  return { key, label: RETENTION_STATE_LABELS[key], short, meaning };
}

export type ContentFate = "never_kept" | "not_kept_on_request" | "kept";
export type ContentStatement = { product: string; label: string; dataType: string; fate: ContentFate; sentence: string };

const days = (n: number) => (n === 0 ? "deleted at once" : `kept ${n} day${n === 1 ? "" : "s"}`);

/** One statement per product and data type, in the policy's order. */
export function contentStatements(p: EffectivePolicy): ContentStatement[] {
  const kept = `not in usage records, but ${days(p.contentRetentionDays)}${p.contentRetentionDays > 0 ? " (plus up to 30 days in backups)" : ""}${p.trainingUse ? ", and may be used for training" : ""}`;
  return p.products.flatMap((product) =>
    product.dataTypes.map((d) => {
      const fate: ContentFate = d.zeroRetention === "always" ? "never_kept" : d.zeroRetention === "on_request" ? "not_kept_on_request" : "kept";
      const sentence =
        fate === "never_kept"
          ? "never kept anywhere: only request metadata is recorded"
          : fate === "not_kept_on_request"
            ? `never kept anywhere when the request sets enable_logging=false; otherwise ${kept}`
            : kept;
      return { product: product.product, label: product.label, dataType: d.dataType, fate, sentence };
    }),
  );
}

/** The statements grouped by what happens to the content, for a short summary. */
export function contentSummary(p: EffectivePolicy): Record<ContentFate, ContentStatement[]> {
  const out: Record<ContentFate, ContentStatement[]> = { never_kept: [], not_kept_on_request: [], kept: [] };
  for (const s of contentStatements(p)) out[s.fate].push(s);
  return out;
}

/**
 * What restricting an organization means now, for support's confirmation:
 * a restriction only ever stops Zero Data Retention being honoured
 * (./policy.ts) and a request being made (./queries.ts), so where there is
 * no active ZDR it changes nothing for the traffic, and the copy says so first.
 */
export function restrictConsequence(o: string, plan: Plan, zdrStatus: ZdrStatus): { describe: string; confirm: string } {
  const notify = "Its admins are notified at once.";
  if (zdrStatus === "active" && plan === "enterprise") {
    return {
      describe: `Zero Data Retention is no longer honoured for ${o} until the restriction is lifted; its admins are notified at once.`,
      confirm: `I want to restrict Zero Data Retention for ${o}; its admins are notified at once.`,
    };
  }
  const confirm = `I understand ${o} has no active Zero Data Retention, and I want to restrict its access to it; its admins are notified at once.`;
  if (plan !== "enterprise") {
    return {
      describe: `${o} has no Zero Data Retention to restrict: its plan (${PLAN_LABELS[plan]}) does not offer it. Restricting changes nothing for its traffic; it records the restriction and its reason. ${notify}`,
      confirm,
    };
  }
  if (zdrStatus === "requested") {
    return {
      describe:
        `${o} has no active Zero Data Retention to restrict: its request is pending. Restricting changes nothing for its traffic today. ` +
        `The request stays open, and while the restriction stands Zero Data Retention enabled for ${o} is not honoured. ${notify}`,
      confirm,
    };
  }
  return {
    describe:
      `${o} has no Zero Data Retention to restrict: it is off. Restricting changes nothing for its traffic today. ` +
      `While the restriction stands its admins cannot request Zero Data Retention, and Zero Data Retention enabled for ${o} is not honoured. ${notify}`,
    confirm,
  };
}

/**
 * What /retention says about support's answer to a pending request: the
 * one-business-day target, or, once it has passed, that support is overdue
 * and where to write (quoting the request's reference).
 */
export function requestWaitWording(req: { overdue: boolean; reference: string }, supportEmail: string): string {
  if (!req.overdue) return "Support verifies the requester and aims to answer within one business day.";
  return `Support has not answered within one business day; it is overdue. Write to ${supportEmail}, quoting ${req.reference}.`;
}
