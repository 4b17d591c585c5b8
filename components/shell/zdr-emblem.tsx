import type { RestrictionReason, ZdrScope } from "@/lib/vocabulary";
import { ChevronDown, ShieldAlert, ShieldCheck } from "lucide-react";
import { formatDate } from "@/components/ui/format";

export type EmblemProps = {
  state: "active" | "restricted";
  timeZone: string;
  /** ZDR active since (active), or restricted since (restricted). */
  since: string | null;
  requestedBy: string | null;
  scope: ZdrScope;
  cacheWindowSeconds: number;
  contentRetentionDays: number;
  restrictionReason: RestrictionReason | null;
};

export const RESTRICTION_REASON_LABEL = {
  high_risk_use_case: "a use case judged high-risk",
  automated_flag: "a flag from our automated moderation system",
  provider_discretion: "a decision of the provider",
} as const;

/**
 * The zero-retention emblem above the account name. A native disclosure, so
 * it is keyboard focusable and opens its panel without any JavaScript; it is
 * rendered on the server from the one retention state on every page load.
 */
export function ZdrEmblem(p: EmblemProps) {
  const active = p.state === "active";
  return (
    <details className="group">
      <summary
        data-testid="zdr-emblem"
        data-state={p.state}
        className={
          "flex cursor-pointer list-none items-center gap-2 rounded-lg border px-2.5 py-2 text-sm font-medium [&::-webkit-details-marker]:hidden " +
          (active
            ? "border-emerald-200 bg-emerald-50 text-emerald-900 hover:bg-emerald-100 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100 dark:hover:bg-emerald-900"
            : "border-amber-300 bg-amber-50 text-amber-950 hover:bg-amber-100 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100 dark:hover:bg-amber-900")
        }
      >
        {active ? <ShieldCheck className="size-5 shrink-0" aria-hidden="true" /> : <ShieldAlert className="size-5 shrink-0" aria-hidden="true" />}
        <span className="min-w-0 flex-1 leading-tight">
          {active ? "Zero Data Retention" : "ZDR restricted"}
          <span className="block text-xs font-normal opacity-80">{active ? "Active" : "Content may be retained"}</span>
        </span>
        <ChevronDown className="size-4 shrink-0 transition-transform group-open:rotate-180" aria-hidden="true" />
      </summary>
      <div className="mt-2 space-y-2 rounded-lg border border-slate-200 bg-white p-3 text-xs leading-relaxed text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300">
        {active ? (
          <>
            <p>
              Active
              {p.since ? (
                <>
                  {" "}
                  since <strong className="font-semibold">{formatDate(p.since, p.timeZone)}</strong>
                </>
              ) : null}
              {p.requestedBy ? (
                <>
                  , on the request of <strong className="font-semibold">{p.requestedBy}</strong>
                </>
              ) : null}
              .
            </p>
            <p>Scope: {p.scope === "all_requests" ? "every request of this organization" : "requests sent with enable_logging=false"}, on eligible products.</p>
            <p>
              <strong className="font-semibold">Kept:</strong> request metadata only (time, product, model, input and output length, status, latency, API key).
            </p>
            <p>
              <strong className="font-semibold">Never kept:</strong> prompts, text, audio, transcripts and outputs.{" "}
              {p.cacheWindowSeconds > 0
                ? `A private cache may hold content for at most ${p.cacheWindowSeconds} seconds, then it is purged.`
                : "No cache holds content."}
            </p>
          </>
        ) : (
          <>
            <p>
              Zero Data Retention is <strong className="font-semibold">not honoured</strong>
              {p.since ? <> since {formatDate(p.since, p.timeZone)}</> : null}
              {p.restrictionReason ? <>, because of {RESTRICTION_REASON_LABEL[p.restrictionReason]}</> : null}.
            </p>
            <p>While restricted, content is kept for up to {p.contentRetentionDays} days. Your administrators have been notified.</p>
            <p>
              <a className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100" href="/notices">
                Read the notice
              </a>
            </p>
          </>
        )}
        <p>
          <a className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100" href="/retention">
            Data retention details
          </a>
        </p>
      </div>
    </details>
  );
}
