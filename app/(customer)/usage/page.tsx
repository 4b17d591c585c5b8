import type { Metadata } from "next";
import { Suspense } from "react";
import { Download } from "lucide-react";
import { requireCustomer } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { localDate, parseRangeParams, rangeSearch, type RangeInput } from "@/lib/usage/range";
import { usageOrg } from "@/lib/usage/queries";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { RangePicker, type RangeProblem } from "@/components/usage/range-picker";
import { ProjectFilter } from "@/components/usage/project-filter";
import { listProjects } from "@/lib/projects/service";
import { ChartSkeleton, TableSkeleton, TotalsSkeleton } from "@/components/usage/skeletons";
import { UsageWidgets } from "./sections";

export const metadata: Metadata = { title: "Usage" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** What was typed into a date field, to put back into it (a date input shows only a well-formed day). */
function typed(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.slice(0, 20);
}

export default async function UsagePage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireCustomer();
  const params = await searchParams;
  // One instant for every widget, so their windows agree to the millisecond.
  const now = new Date();
  const [org, { projects }] = await Promise.all([usageOrg(user, user.orgId), listProjects(user, { orgId: user.orgId })]);
  const today = localDate(now, org.timeZone);
  let range: RangeInput = { key: "30d" };
  let problem: string | null = null;
  // A refused custom range: its reason is shown beside the fields, which keep what was typed, and no figures are shown.
  let rangeProblem: RangeProblem | null = null;
  try {
    range = parseRangeParams(params, { today });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    if (params.range === "custom") rangeProblem = { message: e.message, fields: e.details?.fields ?? [] };
    else problem = `${e.message} Showing the last 30 days instead.`;
  }
  const asked = typeof params.project === "string" && params.project !== "" ? params.project : null;
  const project = asked ? (projects.find((p) => p.project.id === asked.toLowerCase())?.project ?? null) : null;
  if (asked && !project) problem = `${problem ? `${problem} ` : ""}That project is not one of your organization's; showing every project instead.`;
  const projectId = project?.id ?? null;
  const showProjects = projects.length > 0;
  const rangeKey = rangeSearch(range);
  const key = projectId ? `${rangeKey}&project=${projectId}` : rangeKey;
  return (
    <>
      <PageHeader
        title="Usage"
        description={
          project
            ? `Request metadata of the project ${project.name}: counts, lengths and latency, never content.`
            : "Request metadata of your organization: counts, lengths and latency, never content."
        }
        actions={
          <>
            <ProjectFilter
              projects={projects.map((p) => ({ id: p.project.id, name: p.project.name, archived: p.project.archivedAt !== null }))}
              current={projectId}
              range={Object.fromEntries(new URLSearchParams(rangeKey))}
            />
            <RangePicker
              current={rangeProblem ? "custom" : range.key}
              from={rangeProblem ? typed(params.from) : range.key === "custom" ? range.from : undefined}
              to={rangeProblem ? typed(params.to) : range.key === "custom" ? range.to : undefined}
              project={projectId}
              max={today}
              problem={rangeProblem}
            />
            {rangeProblem ? null : (
              <ButtonLink href={`/usage/export?${key}`} download>
                <Download className="size-4" aria-hidden="true" />
                Export CSV
              </ButtonLink>
            )}
          </>
        }
      />
      {problem ? (
        <p
          role="alert"
          className="mb-4 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          {problem}
        </p>
      ) : null}
      {rangeProblem ? (
        <p className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300">
          No figures are shown until the custom range is corrected (see Custom above).{" "}
          <a href={`/usage?range=30d${projectId ? `&project=${projectId}` : ""}`} className="font-medium text-brand-700 underline dark:text-brand-300">
            Show the last 30 days
          </a>
        </p>
      ) : (
        /* One boundary, one read of the store; the fallback is still a skeleton per widget. */
        <Suspense
          key={key}
          fallback={
            <div className="space-y-6">
              <TotalsSkeleton />
              <ChartSkeleton />
              <TableSkeleton label="Loading usage by product" />
              <TableSkeleton label="Loading usage by model" />
              <TableSkeleton label="Loading usage by API key" />
              {showProjects ? <TableSkeleton label="Loading usage by project" /> : null}
            </div>
          }
        >
          <UsageWidgets user={user} range={range} now={now} projectId={projectId} showProjects={showProjects} timeZone={org.timeZone} />
        </Suspense>
      )}
    </>
  );
}
