/** The /usage widgets: each reads its own query so each streams in behind its own skeleton. */
import { ChartColumn, Inbox } from "lucide-react";
import type { CustomerPrincipal } from "@/lib/auth/session";
import { dateTimeFormat } from "@/lib/intl";
import { getUsageBreakdown, getUsageSeries, getUsageTotals, type BreakdownDimension } from "@/lib/usage/queries";
import type { RangeInput, ResolvedRange } from "@/lib/usage/range";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { formatInt } from "@/components/ui/format";
import { TotalsCards } from "@/components/usage/totals-cards";
import { LazyUsageChart } from "@/components/usage/usage-chart-lazy";
import { BreakdownTable } from "@/components/usage/breakdown-table";
import { SeriesNumbers } from "@/components/usage/series-numbers";

type Props = { user: CustomerPrincipal; range: RangeInput; now: Date; projectId: string | null };

function previousLabel(r: ResolvedRange): string {
  return r.key === "24h" ? "previous 24 hours" : `previous ${r.buckets.length} days`;
}

export async function TotalsSection({ user, range, now, projectId }: Props) {
  const t = await getUsageTotals(user, { orgId: user.orgId, range, now, projectId });
  if (t.current.requests === 0) {
    return (
      <Card>
        <EmptyState icon={<Inbox className="size-8" />} title="No requests in this range">
          {t.previous.requests > 0
            ? `There were ${formatInt(t.previous.requests)} requests in the ${previousLabel(t.context.range)}. Try a longer range.`
            : "Requests made with your organization's API keys appear here within a minute. Only metadata is counted: never prompts, audio or outputs."}
        </EmptyState>
      </Card>
    );
  }
  return <TotalsCards current={t.current} previous={t.previous} change={t.change} periodLabel={previousLabel(t.context.range)} />;
}

function bucketLabel(bucket: string, r: ResolvedRange): string {
  if (r.grain === "hour") {
    return dateTimeFormat("en-US", { timeZone: r.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(bucket));
  }
  return dateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" }).format(new Date(`${bucket}T00:00:00Z`));
}

function localHour(bucket: string, timeZone: string): string {
  return dateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(bucket));
}

export async function SeriesSection({ user, range, now, projectId }: Props) {
  const { points, context } = await getUsageSeries(user, { orgId: user.orgId, range, now, projectId });
  const r = context.range;
  const grain = r.grain === "hour" ? "hour" : "day";
  const empty = points.every((p) => p.requests === 0);
  return (
    <Card aria-labelledby="series-title">
      <CardHeader id="series-title" title={`Requests and units per ${grain}`} description={`${r.label}, ${r.grain === "hour" ? "hours" : "days"} in ${r.timeZone}`} />
      <CardBody>
        {empty ? (
          <EmptyState icon={<ChartColumn className="size-8" />} title="Nothing to chart yet">
            The chart fills in as your API keys make requests.
          </EmptyState>
        ) : (
          <>
            <LazyUsageChart
              description={`Chart of requests and units per ${grain}; the same numbers are in the table below and in the CSV export.`}
              points={points.map((p) => ({ label: bucketLabel(p.bucket, r), requests: p.requests, inputUnits: p.inputUnits, outputUnits: p.outputUnits }))}
            />
            <SeriesNumbers
              grain={grain}
              rows={points.map((p) => ({ ...p, when: r.grain === "hour" ? localHour(p.bucket, r.timeZone) : p.bucket }))}
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

export async function BreakdownSection({ user, range, now, projectId, dimension }: Props & { dimension: BreakdownDimension }) {
  const { rows } = await getUsageBreakdown(user, { orgId: user.orgId, range, now, projectId, dimension });
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
