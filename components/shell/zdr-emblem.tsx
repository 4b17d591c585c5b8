import type { RestrictionReason, ZdrScope } from "@/lib/vocabulary";
import { ChevronDown, ShieldAlert, ShieldCheck } from "lucide-react";
import { formatDate } from "@/components/ui/format";
import type { StateWording } from "@/lib/retention/wording";

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
  /** The one wording of the state (lib/retention/wording.ts): the same sentence as /retention, the notice and the email. */
  wording: StateWording;
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
          "flex cursor-pointer list-none items-center gap-2 rounded-lg border px-2.5 py-1 text-sm font-medium md:py-2 [&::-webkit-details-marker]:hidden " +
          (active
            ? "border-emerald-200 bg-emerald-50 text-emerald-900 hover:bg-emerald-100 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100 dark:hover:bg-emerald-900"
            : "border-amber-300 bg-amber-50 text-amber-950 hover:bg-amber-100 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100 dark:hover:bg-amber-900")
        }
      >
        {active ? <ShieldCheck className="size-5 shrink-0" aria-hidden="true" /> : <ShieldAlert className="size-5 shrink-0" aria-hidden="true" />}
        <span className="min-w-0 flex-1 leading-tight">
          {active ? "Zero Data Retention" : "ZDR restricted"}
          <span className="hidden text-xs font-normal md:block">{p.wording.short}</span>
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
            <p data-testid="state-meaning">{p.wording.meaning}</p>
          </>
        ) : (
          <>
            <p>
              Restricted
              {p.since ? <> since {formatDate(p.since, p.timeZone)}</> : null}
              {p.restrictionReason ? <>, because of {RESTRICTION_REASON_LABEL[p.restrictionReason]}</> : null}. Your administrators have been notified.
            </p>
            <p data-testid="state-meaning">{p.wording.meaning}</p>
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
