import { Clock, ShieldAlert, ShieldCheck, ShieldOff } from "lucide-react";
import type { EffectivePolicy } from "@/lib/retention/policy";
import { requestWaitWording, stateWording, ZDR_SCOPE_PHRASES } from "@/lib/retention/wording";
import type { ZdrScope } from "@/lib/vocabulary";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody } from "@/components/ui/card";
import { formatAge, formatDate } from "@/components/ui/format";
import { RESTRICTION_REASON_LABEL } from "@/components/shell/zdr-emblem";

export type StateCardProps = {
  policy: EffectivePolicy;
  timeZone: string;
  requestedBy: string | null;
  pendingRequest: { reference: string; createdAt: string; requestedBy: string | null; scope: ZdrScope; note: string | null; overdue: boolean } | null;
  /** Where to write when support is overdue. */
  supportEmail: string;
  /** The withdraw button of an admin (drawn by the page, which holds the action). */
  withdraw?: React.ReactNode;
  isAdmin: boolean;
  /** Where to write about plans (a mailto: link). */
  salesEmail: string;
};

const TONE = { active: "success", restricted: "warning", requested: "info", off: "neutral", not_entitled: "neutral" } as const;

const link = "font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100";

/**
 * The state of Zero Data Retention at the top of /retention: what happened
 * (since when, on whose request), then the one sentence of the state
 * (lib/retention/wording.ts) that the emblem, the notice and the email print too.
 */
export function StateCard({ policy: p, timeZone, requestedBy, pendingRequest: req, isAdmin, salesEmail, supportEmail, withdraw }: StateCardProps) {
  const w = stateWording(p);
  const meaning = <p data-testid="state-meaning">{w.meaning}</p>;
  let icon = <ShieldOff className="size-6 text-slate-600 dark:text-slate-400" aria-hidden="true" />;
  let body: React.ReactNode;
  switch (w.key) {
    case "restricted":
      icon = <ShieldAlert className="size-6 text-amber-600" aria-hidden="true" />;
      body = (
        <>
          <p>
            Restricted
            {p.restriction?.since ? <> since {formatDate(p.restriction.since, timeZone)}</> : null}, because of{" "}
            {RESTRICTION_REASON_LABEL[p.restriction!.reason]}.{p.restriction?.note ? <> Note from the provider: {p.restriction.note}</> : null}
          </p>
          {meaning}
          <p>
            Lifting the restriction restores your previous setting
            {p.zdr.status === "active" ? <> (Zero Data Retention for {ZDR_SCOPE_PHRASES[p.zdr.scope]})</> : null}.{" "}
            <a href="/notices" className={link}>
              Read the notice
            </a>
          </p>
        </>
      );
      break;
    case "active":
      icon = <ShieldCheck className="size-6 text-emerald-600" aria-hidden="true" />;
      body = (
        <>
          <p>
            Zero Data Retention is <strong>active</strong>
            {p.zdr.since ? <> since {formatDate(p.zdr.since, timeZone)}</> : null}
            {requestedBy ? <>, on the request of {requestedBy}</> : null}.
          </p>
          {meaning}
        </>
      );
      break;
    case "requested":
      icon = <Clock className="size-6 text-brand-600" aria-hidden="true" />;
      body = (
        <>
          <p>
            Your request for Zero Data Retention is <strong>pending</strong>
            {req ? (
              <>
                : asked <span data-testid="request-age">{formatAge(req.createdAt)}</span> ago
                {req.requestedBy ? <> by {req.requestedBy}</> : null}, for {ZDR_SCOPE_PHRASES[req.scope]} (reference{" "}
                <span data-testid="request-reference">{req.reference}</span>)
              </>
            ) : null}
            . {req?.overdue ? null : requestWaitWording({ overdue: false, reference: "" }, supportEmail)}
          </p>
          {req?.overdue ? (
            <p data-testid="request-overdue" className="font-medium text-amber-800 dark:text-amber-200">
              {requestWaitWording(req, supportEmail)}
            </p>
          ) : null}
          {req?.note ? (
            <p className="text-slate-700 dark:text-slate-300">
              The note sent with it: <q data-testid="request-note">{req.note}</q>
            </p>
          ) : null}
          {meaning}
          {withdraw}
        </>
      );
      break;
    case "not_entitled":
      body = (
        <>
          <p>
            Your organization is on the <strong>{p.plan === "free" ? "Free" : "Pro"}</strong> plan.{" "}
            {p.trainingUse ? <strong>Content of your requests may be used to train our models.</strong> : null}
          </p>
          {meaning}
          <ul className="list-disc space-y-1 pl-5" data-testid="plans">
            <li>
              <strong>Free</strong>: content is kept under the retention window and may be used for model training.
            </li>
            <li>
              <strong>Pro</strong>: content is kept under the retention window and is never used for model training.
            </li>
            <li>
              <strong>Enterprise</strong>: never used for model training, and Zero Data Retention on request (only request metadata kept).
            </li>
          </ul>
          <p>
            To change plans, write to{" "}
            <a href={`mailto:${salesEmail}?subject=${encodeURIComponent("Plan change")}`} className={link}>
              {salesEmail}
            </a>{" "}
            or your account manager. On Enterprise, an administrator can request Zero Data Retention on this page.
          </p>
        </>
      );
      break;
    default:
      body = (
        <>
          {meaning}
          <p>{isAdmin ? "As an administrator you can request it below." : "An administrator of your organization can request it."}</p>
        </>
      );
  }
  return (
    <Card aria-labelledby="state-title">
      <CardBody className="flex gap-4">
        <div className="pt-0.5">{icon}</div>
        <div className="space-y-2 text-sm leading-relaxed text-slate-700 dark:text-slate-300">
          <div className="flex items-center gap-2">
            <h2 id="state-title" className="text-base font-semibold text-slate-900 dark:text-slate-50">
              Zero Data Retention
            </h2>
            <span data-testid="retention-state">
              <Badge tone={TONE[w.key]}>{w.label}</Badge>
            </span>
          </div>
          {body}
        </div>
      </CardBody>
    </Card>
  );
}
