/**
 * The /usage widgets. One read of the store (getUsageDashboard: totals and
 * series in parallel, the breakdowns from one scan) feeds all of them behind
 * one Suspense boundary whose fallback is still a skeleton per widget. They
 * used to read per widget behind seven boundaries: with rollup reads of a few
 * milliseconds, the seven streamed chunks and the repeated lookups cost the
 * page more than the data did (profiled: see the README, "Where the time went").
 */
import type { ReactNode } from "react";
import { ChartColumn, CloudOff, Inbox } from "lucide-react";
import type { CustomerPrincipal } from "@/lib/auth/session";
import { dateTimeFormat, formatDate, formatDateTime } from "@/lib/intl";
import type { BreakdownDimension, BreakdownRow, SeriesPoint, TotalsWithChange, UsageDashboard } from "@/lib/usage/queries";
import { getUsageDashboard, usageFreshness, usageStartsOn, UsageUnavailableError, type UsageFreshness } from "@/lib/usage/store";
import { addDays, localDate, rangeSearch, type RangeInput, type ResolvedRange } from "@/lib/usage/range";
import { unitColumns } from "@/lib/usage/units";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { formatInt } from "@/components/ui/format";
import { TotalsCards } from "@/components/usage/totals-cards";
import { LazyUsageChart } from "@/components/usage/usage-chart-lazy";
import { BreakdownTable } from "@/components/usage/breakdown-table";
import { SeriesNumbers } from "@/components/usage/series-numbers";

/** timeZone: the org's, for the "data as of" moment (known even when the store cannot be read). */
type Props = { user: CustomerPrincipal; range: RangeInput; now: Date; projectId: string | null; showProjects: boolean; timeZone: string };

/** A read of the usage store, or null when the store cannot be reached (the widget then says so instead of showing zeros). */
async function readOrUnavailable<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof UsageUnavailableError) return null;
    throw e;
  }
}

function Unavailable({ title }: { title: string }) {
  return (
    <Card>
      <div role="status">
        <EmptyState icon={<CloudOff className="size-8" />} title={`${title}: figures unavailable`}>
          The usage store cannot be reached right now, so no figures are shown rather than wrong ones. Nothing your API keys sent is lost; reload in a minute.
        </EmptyState>
      </div>
    </Card>
  );
}

/** "Data as of": shown while accepted events are still on their way to the usage store. */
function FreshnessNote({ f, timeZone }: { f: UsageFreshness | null; timeZone: string }) {
  if (!f?.asOf) return null;
  const at = formatDateTime(f.asOf, timeZone);
  return (
    <p
      role="status"
      className="mb-4 rounded-lg border border-sky-300 bg-sky-50 px-4 py-3 text-sm text-sky-950 dark:border-sky-700 dark:bg-sky-950 dark:text-sky-100"
    >
      {/* No count: the store's backlog is shared by every organization, and its size is not this one's to read. */}
      Data as of {at}: newer requests are accepted and on their way to these figures.
    </p>
  );
}

function previousLabel(r: ResolvedRange): string {
  return r.key === "24h" ? "previous 24 hours" : `previous ${r.buckets.length} days`;
}

/** A calendar day (YYYY-MM-DD) as pages say it: "Nov 2, 2026". The day is already the org's, so it is not moved by a zone. */
function dayText(day: string): string {
  return formatDate(`${day}T00:00:00Z`, "UTC");
}

const linkClass = "font-medium text-brand-700 underline dark:text-brand-300";

/**
 * Why a range has no requests, said exactly: the org has none at all, the range is entirely before its first day of
 * usage (with a link to a range that has it), or the range includes now and new requests are still to come.
 */
function EmptyTotals({
  t,
  range,
  start,
  today,
  includesNow,
  projectId,
}: {
  t: TotalsWithChange;
  range: ResolvedRange;
  /** null: the first day could not be read (the store is down), so nothing is said about it. */
  start: { day: string | null } | null;
  today: string;
  includesNow: boolean;
  projectId: string | null;
}) {
  const startsOn = start?.day;
  const arrive = "Requests made with your organization's API keys appear here within a minute. Only metadata is counted: never prompts, audio or outputs.";
  let body: ReactNode;
  if (start && startsOn === null) {
    body = includesNow ? `This organization has no recorded usage yet. ${arrive}` : "This organization has no recorded usage yet.";
  } else if (startsOn && range.grain === "day" && range.current.to < startsOn) {
    const to = addDays(startsOn, 29) < today ? addDays(startsOn, 29) : today;
    const href = `/usage?${rangeSearch({ key: "custom", from: startsOn, to })}${projectId ? `&project=${projectId}` : ""}`;
    body = (
      <>
        This organization&apos;s usage starts on {dayText(startsOn)}.{" "}
        <a href={href} className={linkClass}>
          Show {dayText(startsOn)} to {dayText(to)}
        </a>
      </>
    );
  } else if (t.previous.requests > 0) {
    body = `There were ${formatInt(t.previous.requests)} requests in the ${previousLabel(range)}.${includesNow ? ` ${arrive}` : ""}`;
  } else {
    body = includesNow ? arrive : "No requests were recorded in these days.";
  }
  return (
    <Card>
      <EmptyState icon={<Inbox className="size-8" />} title="No requests in this range">
        {body}
      </EmptyState>
    </Card>
  );
}

function bucketLabel(bucket: string, r: ResolvedRange): string {
  if (r.grain === "hour") {
    return dateTimeFormat("en-US", { timeZone: r.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(bucket));
  }
  return dateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" }).format(new Date(`${bucket}T00:00:00Z`));
}

function localHour(bucket: string, timeZone: string): string {
  return dateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(bucket),
  );
}

function SeriesSection({ points, range: r, includesNow }: { points: SeriesPoint[]; range: ResolvedRange; includesNow: boolean }) {
  const grain = r.grain === "hour" ? "hour" : "day";
  const empty = points.every((p) => p.requests === 0);
  // One list of the amounts the range has (one per side and unit), for the chart's line and the table's columns.
  const amounts = unitColumns(points);
  return (
    <Card aria-labelledby="series-title">
      <CardHeader
        id="series-title"
        title={`Requests and amounts per ${grain}`}
        description={`${r.label}, ${r.grain === "hour" ? "hours" : "days"} in ${r.timeZone}`}
      />
      <CardBody>
        {empty ? (
          <EmptyState icon={<ChartColumn className="size-8" />} title={includesNow ? "Nothing to chart yet" : "Nothing to chart"}>
            {includesNow ? "The chart fills in as your API keys make requests." : "No requests were recorded in these days."}
          </EmptyState>
        ) : (
          <>
            <LazyUsageChart
              amounts={amounts}
              description={`Chart of requests and of one amount per unit, per ${grain}; the same numbers are in the table below and in the CSV export.`}
              inProgressNote={
                r.inProgress && r.buckets.includes(r.inProgress)
                  ? `The last ${grain} is still in progress: its bar is hatched (its line dashed) and its numbers will still grow.`
                  : null
              }
              points={points.map((p) => ({ label: bucketLabel(p.bucket, r), requests: p.requests, units: p.units, inProgress: p.bucket === r.inProgress }))}
            />
            <SeriesNumbers
              grain={grain}
              columns={amounts}
              rows={points.map((p) => ({
                bucket: p.bucket,
                requests: p.requests,
                errors: p.errors,
                units: p.units,
                inProgress: p.bucket === r.inProgress,
                when: r.grain === "hour" ? localHour(p.bucket, r.timeZone) : p.bucket,
              }))}
            />
          </>
        )}
      </CardBody>
    </Card>
  );
}

const TITLES: Record<BreakdownDimension, { title: string; header: string }> = {
  product: { title: "By product", header: "Product" },
  model: { title: "By model", header: "Model" },
  apiKey: { title: "By API key", header: "API key" },
  project: { title: "By project", header: "Project" },
};

function BreakdownSection({ rows, dimension }: { rows: BreakdownRow[]; dimension: BreakdownDimension }) {
  const t = TITLES[dimension];
  const id = `breakdown-${dimension}`;
  return (
    <Card aria-labelledby={id}>
      <CardHeader id={id} title={t.title} />
      {rows.length === 0 ? (
        <EmptyState title="No requests in this range" />
      ) : (
        <BreakdownTable rows={rows} nameHeader={t.header} caption={`Usage ${t.title.toLowerCase()}`} />
      )}
    </Card>
  );
}

/** Every widget of the page from one read; a store that cannot be reached makes each say so, never show zeros. */
export async function UsageWidgets({ user, range, now, projectId, showProjects, timeZone }: Props) {
  const [d, f] = await Promise.all([
    readOrUnavailable<UsageDashboard>(() => getUsageDashboard(user, { orgId: user.orgId, range, now, projectId })),
    readOrUnavailable(() => usageFreshness()),
  ]);
  // Only an empty range asks when the org's usage starts (one read of the daily rollup's first day).
  const empty = d !== null && d.totals.current.requests === 0;
  const start = empty ? await readOrUnavailable(async () => ({ day: await usageStartsOn(user, user.orgId) })) : null;
  const today = localDate(now, timeZone);
  const includesNow = d !== null && (d.context.range.grain === "hour" || d.context.range.current.to >= today);
  const dimensions: BreakdownDimension[] = showProjects ? ["product", "model", "apiKey", "project"] : ["product", "model", "apiKey"];
  return (
    <>
      <FreshnessNote f={f} timeZone={timeZone} />
      <div className="space-y-6">
        {d ? (
          <>
            {empty ? (
              <EmptyTotals t={d.totals} range={d.context.range} start={start} today={today} includesNow={includesNow} projectId={projectId} />
            ) : (
              <TotalsCards current={d.totals.current} previous={d.totals.previous} change={d.totals.change} periodLabel={previousLabel(d.context.range)} />
            )}
            <SeriesSection points={d.series} range={d.context.range} includesNow={includesNow} />
            {dimensions.map((dim) => (
              <BreakdownSection key={dim} rows={d.breakdowns[dim]} dimension={dim} />
            ))}
          </>
        ) : (
          <>
            <Unavailable title="Totals" />
            <Unavailable title="Requests over time" />
            {dimensions.map((dim) => (
              <Unavailable key={dim} title={TITLES[dim].title} />
            ))}
          </>
        )}
      </div>
    </>
  );
}
