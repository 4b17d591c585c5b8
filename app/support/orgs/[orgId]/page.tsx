import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/session";
import { orNotFound } from "@/lib/http/page-errors";
import { getAccount } from "@/lib/support/queries";
import { AUDIT_GROUP_LABELS, type AuditGroup } from "@/lib/audit/sentence";
import { requestAge } from "@/lib/business-time";
import { RESTRICTION_REASON_LABELS as REASON_LABELS } from "@/lib/vocabulary";
import { ZdrStateBadge, formatUtc } from "@/components/support/zdr-state-badge";
import { formatDays, formatDuration } from "@/components/ui/format";
import { PLAN_LABELS, ZDR_REQUEST_STATUS_LABELS, ZDR_SCOPE_LABELS } from "@/lib/vocabulary";
import { zdrRequestReference } from "@/lib/notify/compose";
import { RetentionActions } from "@/components/support/retention-action-form";
import { availableTransitions } from "@/lib/retention/service";
import { restrictConsequence } from "@/lib/retention/wording";
import { UsageRetentionForm } from "@/components/removal/usage-retention-form";
import { USAGE_RETENTION_BOUNDS } from "@/lib/removal/retention-window";
import { SsoForm } from "@/components/support/sso-form";
import { getOrgSso } from "@/lib/sso/config";
import { ssoRedirectUri } from "@/lib/sso/sign-in";
import { configureSsoAction, disableAction, enableAction, liftAction, removeSsoAction, restrictAction, setUsageRetentionAction } from "./actions";

export const metadata: Metadata = { title: "Account" };

const AUDIT_GROUPS: AuditGroup[] = ["retention", "membership", "other"];
const ACTOR_KIND = { support: "support", system: "automatic", service: "service token" } as const;

function summary(v: unknown): string {
  if (!v || typeof v !== "object") return "—";
  const s = v as Record<string, unknown>;
  if ("zdrStatus" in s) {
    const parts = [`ZDR ${s.zdrStatus}`];
    if (s.zdrScope && s.zdrStatus !== "off") parts.push(ZDR_SCOPE_LABELS[s.zdrScope as keyof typeof ZDR_SCOPE_LABELS] ?? String(s.zdrScope));
    if (s.restriction === "restricted") parts.push(`restricted (${REASON_LABELS[s.restrictionReason as keyof typeof REASON_LABELS] ?? s.restrictionReason})`);
    return parts.join(", ");
  }
  if ("acknowledgedAt" in s) return s.acknowledgedAt ? "acknowledged" : "not acknowledged";
  return "—";
}

export default async function AccountPage({ params }: { params: Promise<{ orgId: string }> }) {
  const actor = await requireSupport();
  const { orgId } = await params;
  const a = await orNotFound(getAccount(actor, orgId));
  const { org, state, policy } = a;
  const sso = await getOrgSso(actor, org.id);
  const customerSees = a.emblem === "restricted" ? "Warning emblem: ZDR restricted" : a.emblem === "active" ? "ZDR emblem" : "No emblem";
  return (
    <div className="space-y-8">
      <div>
        <p className="text-sm">
          <Link href="/support" className="text-brand-700 hover:underline dark:text-brand-100">
            Accounts
          </Link>{" "}
          /
        </p>
        <h1 className="text-2xl font-semibold">{org.name}</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {PLAN_LABELS[org.plan]} plan · {org.slug} · created {formatUtc(org.createdAt)}
        </p>
      </div>

      <section aria-labelledby="state-h" className="rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
        <h2 id="state-h" className="text-lg font-semibold">
          Retention state
        </h2>
        <dl className="mt-3 grid grid-cols-1 gap-x-8 gap-y-2 text-sm sm:grid-cols-2" data-testid="retention-state">
          <div>
            <dt className="text-slate-600 dark:text-slate-400">State</dt>
            <dd>
              <ZdrStateBadge zdrStatus={state.zdrStatus} restriction={state.restriction} />
            </dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">The customer sees</dt>
            <dd data-testid="customer-emblem">{customerSees}</dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">ZDR</dt>
            <dd data-testid="zdr-status">
              {state.zdrStatus}
              {state.zdrStatus !== "off" ? ` · ${ZDR_SCOPE_LABELS[state.zdrScope]}` : ""}
              {state.zdrSince ? ` · since ${formatUtc(state.zdrSince)}` : ""}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">Honoured for traffic now</dt>
            <dd>{policy.zdr.honoured ? "Yes: metadata only" : "No: content kept under the retention window"}</dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">Restriction</dt>
            <dd data-testid="restriction">
              {state.restriction === "restricted"
                ? `${REASON_LABELS[state.restrictionReason!]} since ${formatUtc(state.restrictedSince)}${state.restrictionNote ? `: ${state.restrictionNote}` : ""}`
                : "None"}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">Cache window · retention · training</dt>
            <dd>
              {formatDuration(state.cacheWindowSeconds)} · {formatDays(state.contentRetentionDays)} · {policy.trainingUse ? "may train" : "never trains"}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600 dark:text-slate-400">Version</dt>
            <dd className="tabular-nums">{state.version}</dd>
          </div>
        </dl>
      </section>

      {a.pendingRequest ? (
        <section aria-labelledby="req-h" className="rounded-lg border border-sky-200 bg-sky-50 p-5 dark:border-sky-900 dark:bg-sky-950">
          <h2 id="req-h" className="text-lg font-semibold">
            Pending ZDR request
          </h2>
          <p className="mt-1 text-sm">
            {a.pendingRequest.requesterEmail ?? "Unknown requester"} asked on {formatUtc(a.pendingRequest.createdAt)} for ZDR for{" "}
            {ZDR_SCOPE_LABELS[a.pendingRequest.scope].toLowerCase()} ({requestAge(a.pendingRequest.createdAt).label} of business time ago). Reference{" "}
            <span data-testid="pending-request-reference">{zdrRequestReference(a.pendingRequest.id)}</span>.
          </p>
          {a.pendingRequest.note ? <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">“{a.pendingRequest.note}”</p> : null}
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">Verify the requester is an administrator of this organization before enabling.</p>
        </section>
      ) : null}

      {a.requests.length > 0 ? (
        <section aria-labelledby="requests-h" className="space-y-2">
          <h2 id="requests-h" className="text-lg font-semibold">
            ZDR requests
          </h2>
          <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="zdr-requests">
            {a.requests.map((r) => (
              <li key={r.id} className="flex flex-wrap gap-x-3 gap-y-1 py-2" data-testid="zdr-request-row" data-status={r.status}>
                <span className="font-medium">{zdrRequestReference(r.id)}</span>
                <span>{ZDR_REQUEST_STATUS_LABELS[r.status]}</span>
                <span className="text-slate-600 dark:text-slate-400">
                  asked {formatUtc(r.createdAt)} by {r.requesterEmail ?? "a former user"}
                  {r.resolvedAt ? ` · closed ${formatUtc(r.resolvedAt)}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="actions-h" className="space-y-3">
        <h2 id="actions-h" className="text-lg font-semibold">
          Actions
        </h2>
        <RetentionActions
          transitions={availableTransitions(org.plan, state)}
          actions={{ enable: enableAction, disable: disableAction, decline: disableAction, restrict: restrictAction, lift: liftAction }}
          orgId={org.id}
          version={state.version}
          orgName={org.name}
          defaultScope={a.pendingRequest?.scope ?? state.zdrScope}
          restrict={restrictConsequence(org.name, org.plan, state.zdrStatus)}
        />
        {org.plan !== "enterprise" ? <p className="text-sm text-slate-600 dark:text-slate-400">Zero Data Retention is for enterprise plans only.</p> : null}
      </section>

      <section aria-labelledby="usage-retention-h" className="space-y-2">
        <h2 id="usage-retention-h" className="text-lg font-semibold">
          Usage retention window
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Raw usage events older than {org.usageRetentionDays} days are deleted automatically; hourly and daily totals stay.
        </p>
        <UsageRetentionForm
          action={setUsageRetentionAction}
          orgId={org.id}
          days={org.usageRetentionDays}
          min={USAGE_RETENTION_BOUNDS.min}
          max={USAGE_RETENTION_BOUNDS.max}
        />
      </section>

      <section aria-labelledby="sso-h" className="space-y-2">
        <h2 id="sso-h" className="text-lg font-semibold">
          Single sign-on (OpenID Connect)
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {sso
            ? `Configured: ${sso.emailDomains.join(", ")} sign in through ${sso.issuer}${sso.enforced ? " (enforced: no passwords)" : ""}.`
            : "Not configured: everyone signs in with a password."}{" "}
          Redirect URI to register with the identity provider (the same for every organization):{" "}
          <code className="break-all" data-testid="sso-redirect-uri">
            {ssoRedirectUri()}
          </code>
        </p>
        <SsoForm action={configureSsoAction} remove={removeSsoAction} orgId={org.id} current={sso} />
      </section>

      <section aria-labelledby="admins-h">
        <h2 id="admins-h" className="text-lg font-semibold">
          Administrators
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          They receive every retention notice by email. {a.members.length} other member{a.members.length === 1 ? "" : "s"}.
        </p>
        <ul className="mt-2 text-sm" data-testid="admins">
          {a.admins.map((p) => (
            <li key={p.userId}>
              {p.name} · {p.email}
              {p.disabledAt ? " (disabled: not mailed)" : ""}
            </li>
          ))}
          {a.admins.length === 0 ? <li className="text-amber-800 dark:text-amber-300">No administrator: nobody can receive notices.</li> : null}
        </ul>
      </section>

      <section aria-labelledby="audit-h" className="space-y-4">
        <h2 id="audit-h" className="text-lg font-semibold">
          Audit trail
        </h2>
        {AUDIT_GROUPS.map((group) => {
          const entries = a.audit.filter((e) => e.group === group);
          return (
            <div key={group}>
              <h3 id={`audit-${group}-h`} className="text-base font-medium">
                {AUDIT_GROUP_LABELS[group]} ({entries.length})
              </h3>
              {entries.length === 0 ? (
                <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">None recorded.</p>
              ) : (
                <table className="stack-table mt-2 w-full text-left text-sm" data-testid={`audit-${group}`} aria-labelledby={`audit-${group}-h`}>
                  <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
                    <tr>
                      <th className="py-2 pr-3">When</th>
                      <th className="px-3 py-2">What happened</th>
                      {group === "retention" ? <th className="px-3 py-2">Before → after</th> : null}
                      <th className="px-3 py-2">Reason</th>
                      <th className="py-2 pl-3">Ticket</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((e) => (
                      <tr key={e.id} className="border-b border-slate-100 align-top dark:border-slate-800" data-testid="audit-entry" data-action={e.action}>
                        <td data-label="When" className="py-2 pr-3 whitespace-nowrap text-slate-600 dark:text-slate-400">
                          {formatUtc(e.createdAt)}
                        </td>
                        <td data-label="What happened" className="px-3 py-2">
                          {e.sentence}
                          {e.actorType === "support" || e.actorType === "system" || e.actorType === "service" ? (
                            <span className="ml-1 text-xs text-slate-600 dark:text-slate-400">({ACTOR_KIND[e.actorType]})</span>
                          ) : null}
                        </td>
                        {group === "retention" ? (
                          <td data-label="Before → after" className="px-3 py-2">
                            {summary(e.before)} → {summary(e.after)}
                          </td>
                        ) : null}
                        <td data-label="Reason" className="max-w-xs px-3 py-2">
                          {e.reason ?? "—"}
                        </td>
                        <td data-label="Ticket" className="py-2 pl-3">
                          {e.ticketRef ?? "—"}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          );
        })}
      </section>

      <section aria-labelledby="notices-h">
        <h2 id="notices-h" className="text-lg font-semibold">
          Notices sent
        </h2>
        <ul className="mt-2 space-y-1 text-sm">
          {a.notices.map((n) => (
            <li key={n.id}>
              {formatUtc(n.createdAt)} · {n.title} ·{" "}
              {n.acknowledgedAt ? `acknowledged by ${n.acknowledgedBy ?? "a former admin"} at ${formatUtc(n.acknowledgedAt)}` : "not acknowledged"}
            </li>
          ))}
          {a.notices.length === 0 ? <li className="text-slate-600 dark:text-slate-400">None yet.</li> : null}
        </ul>
      </section>

      {a.flags.length ? (
        <section aria-labelledby="flags-h">
          <h2 id="flags-h" className="text-lg font-semibold">
            Moderation flags
          </h2>
          <ul className="mt-2 space-y-1 text-sm">
            {a.flags.map((f) => (
              <li key={f.id}>
                {formatUtc(f.createdAt)} · {f.category} ({f.severity}) · {f.restrict ? "restricted ZDR" : "recorded only"}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
