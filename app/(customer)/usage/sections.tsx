/**
 * The /usage widgets. One read of the store (getUsageDashboard: totals and
 * series in parallel, the breakdowns from one scan) feeds all of them behind
 * one Suspense boundary whose fallback is still a skeleton per widget. They
 * used to read per widget behind seven boundaries: with rollup reads of a few
 * milliseconds, the seven streamed chunks and the repeated lookups cost the
 * page more than the data did (profiled: see the README, "Where the time went").
 */
import { ChartColumn, CloudOff, Inbox } from "lucide-react";
import type { CustomerPrincipal } from "@/lib/auth/session";
import { dateTimeFormat } from "@/lib/intl";
import type { BreakdownDimension, BreakdownRow, SeriesPoint, TotalsWithChange, UsageDashboard } from "@/lib/usage/queries";
import { getUsageDashboard, usageFreshness, UsageUnavailableError, type UsageFreshness } from "@/lib/usage/store";
import type { RangeInput, ResolvedRange } from "@/lib/usage/range";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { formatInt } from "@/components/ui/format";
import { TotalsCards } from "@/components/usage/totals-cards";
import { LazyUsageChart } from "@/components/usage/usage-chart-lazy";
import { BreakdownTable } from "@/components/usage/breakdown-table";
import { SeriesNumbers } from "@/components/usage/series-numbers";

type Props = { user: CustomerPrincipal; range: RangeInput; now: Date; projectId: string | null; showProjects: boolean };

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
function FreshnessNote({ f }: { f: UsageFreshness | null }) {
  if (!f?.asOf) return null;
  const at = dateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(f.asOf));
  return (
    <p
      role="status"
      className="mb-4 rounded-lg border border-sky-300 bg-sky-50 px-4 py-3 text-sm text-sky-950 dark:border-sky-700 dark:bg-sky-950 dark:text-sky-100"
    >
      Data as of {at} UTC: {formatInt(f.pendingEvents)} newer requests are accepted and on their way to these figures.
    </p>
  );
}

function previousLabel(r: ResolvedRange): string {
  return r.key === "24h" ? "previous 24 hours" : `previous ${r.buckets.length} days`;
}

function TotalsSection({ t, range }: { t: TotalsWithChange; range: ResolvedRange }) {
  if (t.current.requests === 0) {
    return (
      <Card>
        <EmptyState icon={<Inbox className="size-8" />} title="No requests in this range">
          {t.previous.requests > 0
            ? `There were ${formatInt(t.previous.requests)} requests in the ${previousLabel(range)}. Try a longer range.`
            : "Requests made with your organization's API keys appear here within a minute. Only metadata is counted: never prompts, audio or outputs."}
        </EmptyState>
      </Card>
    );
  }
  return <TotalsCards current={t.current} previous={t.previous} change={t.change} periodLabel={previousLabel(range)} />;
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

function SeriesSection({ points, range: r }: { points: SeriesPoint[]; range: ResolvedRange }) {
  const grain = r.grain === "hour" ? "hour" : "day";
  const empty = points.every((p) => p.requests === 0);
  return (
    <Card aria-labelledby="series-title">
      <CardHeader
        id="series-title"
        title={`Requests and amounts per ${grain}`}
        description={`${r.label}, ${r.grain === "hour" ? "hours" : "days"} in ${r.timeZone}`}
      />
      <CardBody>
        {empty ? (
          <EmptyState icon={<ChartColumn className="size-8" />} title="Nothing to chart yet">
            The chart fills in as your API keys make requests.
          </EmptyState>
        ) : (
          <>
            <LazyUsageChart
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
export async function UsageWidgets({ user, range, now, projectId, showProjects }: Props) {
  const [d, f] = await Promise.all([
    readOrUnavailable<UsageDashboard>(() => getUsageDashboard(user, { orgId: user.orgId, range, now, projectId })),
    readOrUnavailable(() => usageFreshness()),
  ]);
  const dimensions: BreakdownDimension[] = showProjects ? ["product", "model", "apiKey", "project"] : ["product", "model", "apiKey"];
  return (
    <>
      <FreshnessNote f={f} />
      <div className="space-y-6">
        {d ? (
          <>
            <TotalsSection t={d.totals} range={d.context.range} />
            <SeriesSection points={d.series} range={d.context.range} />
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
