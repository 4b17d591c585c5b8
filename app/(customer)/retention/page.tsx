import type { Metadata } from "next";
import { requireCustomer } from "@/lib/auth/session";
import { latestAuditCheckpoint } from "@/lib/audit/export";
import { getZdrCoverage } from "@/lib/retention/coverage";
import { listStatements } from "@/lib/statements/statements";
import { getRetentionView, keptFields, listRetentionAudit, neverKeptInUsage } from "@/lib/retention/queries";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime, formatDays, formatDuration } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { AuditTrail } from "@/components/retention/audit-trail";
import { CoverageTable } from "@/components/retention/coverage-table";
import { EligibilityTable } from "@/components/retention/eligibility-table";
import { RequestZdrForm } from "@/components/retention/request-form";
import { StateCard } from "@/components/retention/state-card";
import { ContentStatements } from "@/components/retention/content-statements";
import { listProjects } from "@/lib/projects/service";
import { contentStatements, contentSummary, USAGE_RECORD_FIELDS, usageRecordFieldList } from "@/lib/retention/wording";
import type { EffectivePolicy } from "@/lib/retention/policy";
import { WithdrawZdrForm } from "@/components/retention/withdraw-form";
import { env } from "@/lib/env";
import { requestZdrAction, withdrawZdrAction } from "./actions";

const sameStatements = (a: EffectivePolicy, b: EffectivePolicy) => JSON.stringify(contentStatements(a)) === JSON.stringify(contentStatements(b));

export const metadata: Metadata = { title: "Data retention" };

/** Where plan questions go. */
const SALES_EMAIL = "sales@provider.example";

export default async function RetentionPage() {
  const user = await requireCustomer();
  const isAdmin = user.role === "admin";
  const [view, coverage, audit, checkpoint, statements, { projects: projectViews }] = await Promise.all([
    getRetentionView(user, { orgId: user.orgId }),
    getZdrCoverage(user, { orgId: user.orgId }),
    isAdmin ? listRetentionAudit(user, { orgId: user.orgId }) : Promise.resolve(null),
    isAdmin ? latestAuditCheckpoint(user, { orgId: user.orgId }) : Promise.resolve(null),
    isAdmin ? listStatements(user, { orgId: user.orgId }) : Promise.resolve([]),
    listProjects(user, { orgId: user.orgId }),
  ]);
  const p = view.policy;
  const kept = keptFields();
  return (
    <>
      <PageHeader title="Data retention" description={`What ${view.orgName}'s requests leave behind, and for how long.`} />
      <div className="space-y-6">
        <StateCard
          policy={p}
          timeZone={view.timeZone}
          requestedBy={view.requestedBy}
          pendingRequest={view.pendingRequest}
          isAdmin={isAdmin}
          salesEmail={SALES_EMAIL}
          supportEmail={env().SUPPORT_EMAIL}
          withdraw={
            isAdmin && view.pendingRequest ? (
              <WithdrawZdrForm action={withdrawZdrAction} orgId={view.orgId} requestId={view.pendingRequest.id} reference={view.pendingRequest.reference} />
            ) : undefined
          }
        />

        {isAdmin && view.canRequest.allowed ? (
          <Card aria-labelledby="request-title">
            <CardHeader
              id="request-title"
              title="Request Zero Data Retention"
              description="Support verifies that you are an administrator of this organization, then enables it and confirms by email."
            />
            <CardBody>
              <RequestZdrForm action={requestZdrAction} orgId={view.orgId} />
            </CardBody>
          </Card>
        ) : null}

        <Card aria-labelledby="settings-title">
          <CardHeader id="settings-title" title="Settings" />
          <CardBody>
            <dl className="grid gap-4 text-sm sm:grid-cols-3">
              <div>
                <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">Private cache window</dt>
                <dd className="mt-1 font-semibold">{p.cacheWindowSeconds === 0 ? "No cache" : `At most ${formatDuration(p.cacheWindowSeconds)}`}</dd>
                <dd className="mt-1 text-xs text-slate-600 dark:text-slate-400">
                  {p.cacheWindowSeconds === 0 ? "Content is never cached." : "Then purged everywhere, with no backups."}
                </dd>
              </div>
              <div>
                <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">
                  {p.plan === "enterprise" ? "Content retention without ZDR" : "Content retention"}
                </dt>
                <dd className="mt-1 font-semibold">{formatDays(p.contentRetentionDays)}</dd>
                <dd className="mt-1 text-xs text-slate-600 dark:text-slate-400">Plus up to 30 days in backups.</dd>
              </div>
              <div>
                <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">Training use</dt>
                <dd className="mt-1 font-semibold">{p.trainingUse ? "Content may be used for training" : "Never used for training"}</dd>
                <dd className="mt-1 text-xs text-slate-600 dark:text-slate-400">
                  {p.plan === "free" ? "Free plan default." : "Paid plans are never used for training."}
                </dd>
              </div>
              <div className="sm:col-span-3" data-testid="usage-retention-window">
                <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">Usage records</dt>
                <dd className="mt-1">
                  Each request&apos;s usage record ({USAGE_RECORD_FIELDS.length} fields: {usageRecordFieldList()}) is kept for{" "}
                  <strong>{formatDays(view.usageRetentionDays)}</strong>, then deleted automatically. The hourly and daily totals on the Usage page stay after
                  that: they add requests up and hold no single request. An administrator can ask for any of it to be removed sooner on the Data removal page.
                </dd>
              </div>
            </dl>
          </CardBody>
        </Card>

        <div className="grid gap-6 lg:grid-cols-2">
          <Card aria-labelledby="kept-title">
            <CardHeader
              id="kept-title"
              title="What we keep"
              description="Every field of a usage record, as stored. This metadata feeds billing, rate limits and your usage page."
            />
            <CardBody>
              <ul className="space-y-1.5 text-sm">
                {kept.map((k) => (
                  <li key={k.column} className="flex gap-3">
                    <code className="w-32 shrink-0 text-xs leading-5 text-slate-600 dark:text-slate-400">{k.column}</code>
                    <span>{k.description}</span>
                  </li>
                ))}
              </ul>
            </CardBody>
          </Card>
          <Card aria-labelledby="never-title">
            <CardHeader
              id="never-title"
              title="Never in usage records"
              description="These never enter a usage record, log line, error, email or export. Whether the content itself is kept depends on the product: see below."
            />
            <CardBody>
              <ul className="flex flex-wrap gap-2">
                {neverKeptInUsage().map((t) => (
                  <li key={t}>
                    <Badge>{t}</Badge>
                  </li>
                ))}
              </ul>
            </CardBody>
          </Card>
        </div>

        <Card aria-labelledby="coverage-title">
          <CardHeader
            id="coverage-title"
            title="ZDR coverage"
            description="When Zero Data Retention was honoured and when it was not (off, requested, restricted), from this organization's audit log, with the requests served in each period as the serving fleet reported them."
          />
          {coverage.intervals.length === 0 ? (
            <EmptyState title="ZDR has never been set up for this organization" />
          ) : (
            <CoverageTable intervals={coverage.intervals} timeZone={view.timeZone} />
          )}
        </Card>

        <Card aria-labelledby="content-title">
          <CardHeader
            id="content-title"
            title="What happens to content, per product"
            description={`For ${view.orgName}'s requests today, from the same state as the emblem.`}
          />
          <CardBody className="space-y-6">
            <ContentStatements groups={contentSummary(p)} testId="content-organization" />
            {projectViews
              .filter((v) => !v.project.archivedAt)
              .map((v) => (
                <div key={v.project.id} data-testid="content-project" className="border-t border-slate-100 pt-4 dark:border-slate-800">
                  <h3 className="font-semibold">
                    Project{" "}
                    <a href={`/projects/${v.project.id}`} className="text-brand-600 underline underline-offset-2 dark:text-brand-100">
                      {v.project.name}
                    </a>
                  </h3>
                  {sameStatements(p, v.policy) ? (
                    <p className="mt-1 text-sm">The same as the organization.</p>
                  ) : (
                    <div className="mt-2">
                      <ContentStatements groups={contentSummary(v.policy)} />
                    </div>
                  )}
                </div>
              ))}
          </CardBody>
        </Card>

        <Card aria-labelledby="eligibility-title">
          <CardHeader
            id="eligibility-title"
            title="Product eligibility"
            description={
              p.plan === "enterprise"
                ? "Zero Data Retention applies per product and data type."
                : "On the Enterprise plan, Zero Data Retention applies per product and data type; on your plan it applies to none."
            }
          />
          <EligibilityTable products={p.products} />
        </Card>

        {audit ? (
          <Card aria-labelledby="audit-title">
            <CardHeader
              id="audit-title"
              title="Audit trail"
              description="Every change to this organization's retention settings: who, when, why. Append-only and tamper-evident."
            />
            {audit.length === 0 ? <EmptyState title="No changes yet" /> : <AuditTrail entries={audit} timeZone={view.timeZone} />}
          </Card>
        ) : null}

        {isAdmin ? (
          <Card aria-labelledby="statements-title">
            <CardHeader
              id="statements-title"
              title="Monthly retention statements"
              description="A signed statement per month: the retention state and each change, when ZDR was honoured, requests served with and without it, removals completed, and the audit checkpoint it derives from. Issued when the month ends; administrators are emailed."
            />
            <CardBody className="text-sm">
              {statements.length === 0 ? (
                <p>No statement yet: the first is issued after this organization&apos;s first full month.</p>
              ) : (
                <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="statements">
                  {statements.map((st) => (
                    <li key={st.month} className="flex flex-wrap items-center justify-between gap-2 py-2">
                      <span>
                        <strong>{st.month}</strong>{" "}
                        <span className="text-slate-600 dark:text-slate-400">issued {formatDateTime(st.issuedAt, view.timeZone)}</span>
                      </span>
                      <a
                        href={`/retention/statements/${st.month}`}
                        download
                        className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100"
                      >
                        Download the statement for {st.month} (JSON)
                      </a>
                    </li>
                  ))}
                </ul>
              )}
            </CardBody>
          </Card>
        ) : null}

        {isAdmin ? (
          <Card aria-labelledby="records-title">
            <CardHeader
              id="records-title"
              title="Verifiable records"
              description="Every audit entry of your organization is a leaf of a Merkle tree (RFC 6962); we sign its root after each change. Check the export yourself, offline, without trusting us."
            />
            <CardBody className="space-y-3 text-sm">
              {checkpoint ? (
                <dl className="grid gap-3 sm:grid-cols-3" data-testid="latest-checkpoint">
                  <div>
                    <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">Entries signed</dt>
                    <dd className="mt-1 font-semibold">{checkpoint.treeSize}</dd>
                  </div>
                  <div>
                    <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">Signed</dt>
                    <dd className="mt-1 font-semibold">{formatDateTime(checkpoint.timestamp, view.timeZone)}</dd>
                  </div>
                  <div>
                    <dt className="text-xs font-medium text-slate-600 dark:text-slate-400">Root hash</dt>
                    <dd className="mt-1 font-mono text-xs break-all">{checkpoint.rootHash}</dd>
                  </div>
                </dl>
              ) : (
                <p>No entries yet.</p>
              )}
              <p className="flex flex-wrap gap-4">
                <a href="/retention/audit-log.json" download className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100">
                  Download the audit log with proofs (JSON)
                </a>
                <a href="/verify" className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100">
                  Verify a document
                </a>
              </p>
              <p className="text-xs text-slate-600 dark:text-slate-400">
                Keep a checkpoint; later, <code>/retention/audit-log/consistency?from=SIZE</code> proves today&apos;s log extends it unchanged. A log proves
                what was recorded, not that no copy of data exists elsewhere.
              </p>
            </CardBody>
          </Card>
        ) : null}
      </div>
    </>
  );
}
