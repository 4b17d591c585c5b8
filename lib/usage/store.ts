/**
 * The usage store: one interface over where usage analytics live, chosen by
 * USAGE_STORE. `postgres` (the default) is the store of lib/usage as it was:
 * these methods delegate to ./ingest, ./queries and ./rollups unchanged.
 * `clickhouse` keeps events and rollups in ClickHouse (./clickhouse/store.ts)
 * while orgs, projects, access and the ledger of accepted ids stay in
 * PostgreSQL. Both stores take the same validated batch (prepareUsageBatch),
 * answer the same shapes, and pass the same contract tests
 * (tests/db/usage-store-contract.test.ts).
 *
 * The functions at the bottom keep the names and signatures of ./queries, so
 * a page switches stores by changing its import only.
 */
import { eq, sql } from "drizzle-orm";
import { getDb, queryRows, type Tx } from "@/lib/db";
import { organizations } from "@/lib/db/schema";
import { env } from "@/lib/env";
import type { Principal } from "@/lib/auth/principal";
import { AppError, notFound } from "@/lib/errors";
import { authorize } from "@/lib/auth/permissions";
import { ingestPreparedBatch, prepareUsageBatch, type IngestResult } from "./ingest";
import {
  getUsageBreakdown as pgBreakdown,
  getUsageDashboard as pgDashboard,
  getUsageSeries as pgSeries,
  getUsageTotals as pgTotals,
  firstUsageDay as pgFirstDay,
  type BreakdownDimension,
  type BreakdownRow,
  type SeriesPoint,
  type TotalsWithChange,
  type UsageContext,
  type UsageDashboard,
  type UsageQueryArgs,
} from "./queries";
import { usageCsvStream } from "./csv";
import { rebuildRollups, type RollupSpan } from "./rollups";
import { firstInScope, removeSlice, scopeWhere, verifyRemoval, type RemovalVerification, type SliceRemoval, type TimeSlice } from "./removal";
import { localDate } from "./range";
import { processState } from "@/lib/process-state";

/** What a removal covers: the org, an instant range [fromAt, toAt), and optionally one API key, one project, events received up to a cutoff. */
export type UsageScope = {
  orgId: string;
  fromAt: Date;
  toAt: Date;
  apiKeyId: string | null;
  projectId: string | null;
  cutoffAt: Date | null;
};

export type ScopeRemoval = {
  eventsDeleted: number;
  /** Rollup rows of the span after it was rebuilt from the raw events that remain. */
  hourlyRows: number;
  dailyRows: number;
};

/** How current the store's figures are: `asOf` null means everything accepted is readable; `pendingEvents` is store-wide (every org's), never shown to a customer. */
export type UsageFreshness = { asOf: string | null; pendingEvents: number };

export interface UsageStore {
  readonly kind: "postgres" | "clickhouse";
  /** Validates a batch whole and stores what is new; replays are duplicates, changed ids conflicts. */
  ingest(actor: Principal | null, body: unknown, db?: Tx, options?: { now?: number }): Promise<IngestResult>;
  totals(actor: Principal, args: UsageQueryArgs, db?: Tx): Promise<TotalsWithChange & { context: UsageContext }>;
  series(actor: Principal, args: UsageQueryArgs, db?: Tx): Promise<{ points: SeriesPoint[]; context: UsageContext }>;
  breakdown(actor: Principal, args: UsageQueryArgs & { dimension: BreakdownDimension }, db?: Tx): Promise<{ rows: BreakdownRow[]; context: UsageContext }>;
  dashboard(actor: Principal, args: UsageQueryArgs, db?: Tx): Promise<UsageDashboard>;
  csv(actor: Principal, args: UsageQueryArgs, db?: Tx): Promise<ReadableStream<Uint8Array>>;
  /** Deletes the raw events in scope and rebuilds the rollups of the hours and days it touches. */
  removeScope(scope: UsageScope, db?: Tx): Promise<ScopeRemoval>;
  /** Deletes an org's raw events older than the cutoff; the rollups stay (they hold no request). */
  purgeBefore(orgId: string, cutoff: Date, db?: Tx): Promise<number>;
  /** Rebuilds all rollups of an org from its raw events (the seed, a time-zone change, a repair). */
  rebuild(orgId: string, db?: Tx): Promise<void>;
  freshness(db?: Tx): Promise<UsageFreshness>;
  /** The org's first calendar day with usage (in its time zone), from the daily rollup; null when it has none. */
  firstDay(orgId: string, db?: Tx): Promise<string | null>;
  /** At start: the store's schema, and whatever another store holds for it; once per process. */
  start(db?: Tx): Promise<void>;
  /** Sends accepted events still on their way (the ClickHouse relay); answers how many were sent. */
  deliverPending(db?: Tx): Promise<number>;
  /** Raw events of an org in scope, read now (removal verification and tests). */
  countInScope(scope: UsageScope, db?: Tx): Promise<number>;
  /**
   * Bounded removal, on a store that has it (PostgreSQL): the scope's events of one time slice are deleted and exactly
   * what was deleted is taken off both rollups (unless `adjustRollups` is false), in the caller's transaction. A store
   * without it removes a scope whole (removeScope).
   */
  removeSlice?(scope: UsageScope, slice: TimeSlice, options: { adjustRollups: boolean }, tx: Tx): Promise<SliceRemoval>;
  /** With removeSlice: the time of the scope's first event (where a removal starts or resumes), null when none is left. */
  firstInScope?(scope: UsageScope, tx: Tx): Promise<Date | null>;
  /** With removeSlice: reads the store after a removal, in the caller's snapshot (events left in scope, rollups against raw). */
  verifyRemoval?(scope: UsageScope, options: { checkRollups: boolean }, tx: Tx): Promise<RemovalVerification>;
}

/** The store's figures cannot be read right now: pages say so instead of showing zeros. */
export class UsageUnavailableError extends AppError {
  static readonly tag: string = "UsageUnavailableError";
  constructor() {
    super("unavailable", "Usage figures are unavailable right now: the usage store cannot be reached. Nothing is lost; try again shortly.", {
      retryAfterSeconds: 5,
    });
    this.name = "UsageUnavailableError";
  }
}

/** The whole hours and org-local days a scope touches. */
export async function scopeSpan(db: Tx, scope: Pick<UsageScope, "orgId" | "fromAt" | "toAt">): Promise<RollupSpan & { timeZone: string }> {
  const [org] = await db.select({ timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, scope.orgId));
  if (!org) throw notFound("Organization not found");
  const hour = 3_600_000;
  const from = Math.floor(scope.fromAt.getTime() / hour) * hour;
  const to = Math.ceil(scope.toAt.getTime() / hour) * hour;
  return {
    timeZone: org.timeZone,
    fromHour: new Date(from).toISOString(),
    toHour: new Date(to).toISOString(),
    fromDay: localDate(scope.fromAt, org.timeZone),
    toDay: localDate(new Date(scope.toAt.getTime() - 1), org.timeZone),
  };
}

/** Today's store: PostgreSQL (or PGlite) tables usage_events and the two rollups. */
export const postgresUsageStore: UsageStore = {
  kind: "postgres",
  async ingest(actor, body, db = getDb(), options = {}) {
    return ingestPreparedBatch(await prepareUsageBatch(actor, body, db, options), db);
  },
  totals: (actor, args, db = getDb()) => pgTotals(actor, args, db),
  series: (actor, args, db = getDb()) => pgSeries(actor, args, db),
  breakdown: (actor, args, db = getDb()) => pgBreakdown(actor, args, db),
  dashboard: (actor, args, db = getDb()) => pgDashboard(actor, args, db),
  async csv(actor, args, db = getDb()) {
    return usageCsvStream(await pgDashboard(actor, args, db));
  },
  async removeScope(scope, db = getDb()) {
    return db.transaction(async (tx) => {
      const span = await scopeSpan(tx, scope);
      const [d] = await queryRows<{ n: number }>(
        tx,
        sql`with del as (delete from usage_events where ${scopeWhere(scope)} returning 1) select count(*)::int as n from del`,
      );
      await rebuildRollups(tx, scope.orgId, span);
      const [h] = await queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from usage_rollups_hourly where org_id = ${scope.orgId} and hour >= ${span.fromHour}::timestamptz and hour < ${span.toHour}::timestamptz`,
      );
      const [dd] = await queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from usage_rollups_daily where org_id = ${scope.orgId} and day between ${span.fromDay}::date and ${span.toDay}::date`,
      );
      return { eventsDeleted: Number(d.n), hourlyRows: Number(h.n), dailyRows: Number(dd.n) };
    });
  },
  async purgeBefore(orgId, cutoff, db = getDb()) {
    const [r] = await queryRows<{ n: number }>(
      db,
      sql`with del as (delete from usage_events where org_id = ${orgId} and occurred_at < ${cutoff.toISOString()}::timestamptz returning 1) select count(*)::int as n from del`,
    );
    return Number(r.n);
  },
  async rebuild(orgId, db = getDb()) {
    await db.transaction((tx) => rebuildRollups(tx, orgId));
  },
  async freshness() {
    // Ingest writes events and rollups in one transaction: what is accepted is readable.
    return { asOf: null, pendingEvents: 0 };
  },
  firstDay: (orgId, db = getDb()) => pgFirstDay(orgId, db),
  async countInScope(scope, db = getDb()) {
    const [r] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from usage_events where ${scopeWhere(scope)}`);
    return Number(r.n);
  },
  removeSlice: (scope, slice, options, tx) => removeSlice(tx, scope, slice, options),
  firstInScope: (scope, tx) => firstInScope(tx, scope),
  verifyRemoval: (scope, options, tx) => verifyRemoval(tx, scope, options),
  // The drizzle migrations are the schema; nothing is ever on its way.
  start: async () => {},
  deliverPending: async () => 0,
};

const g = processState("usageStore", (): { value?: UsageStore } => ({}));

/** The store USAGE_STORE names (the ClickHouse one is loaded only when chosen). */
export async function usageStore(): Promise<UsageStore> {
  if (g.value) return g.value;
  let store = postgresUsageStore;
  if (env().USAGE_STORE === "clickhouse") {
    const { clickhouseUsageStore } = await import("./clickhouse/store");
    store = clickhouseUsageStore();
  }
  g.value = store;
  return store;
}

/** Tests: install a store for the process (undefined: back to USAGE_STORE). */
export function setUsageStore(s: UsageStore | undefined): void {
  g.value = s;
}

// The names of ./queries, through the chosen store.
export async function getUsageTotals(actor: Principal, args: UsageQueryArgs, db: Tx = getDb()) {
  return (await usageStore()).totals(actor, args, db);
}
export async function getUsageSeries(actor: Principal, args: UsageQueryArgs, db: Tx = getDb()) {
  return (await usageStore()).series(actor, args, db);
}
export async function getUsageBreakdown(actor: Principal, args: UsageQueryArgs & { dimension: BreakdownDimension }, db: Tx = getDb()) {
  return (await usageStore()).breakdown(actor, args, db);
}
export async function getUsageDashboard(actor: Principal, args: UsageQueryArgs, db: Tx = getDb()) {
  return (await usageStore()).dashboard(actor, args, db);
}
export async function ingestUsage(actor: Principal | null, body: unknown, db: Tx = getDb()) {
  return (await usageStore()).ingest(actor, body, db);
}
export async function usageFreshness(db: Tx = getDb()) {
  return (await usageStore()).freshness(db);
}
/** When the org's usage starts: its first calendar day with usage, null when it has none (the /usage empty states). */
export async function usageStartsOn(actor: Principal, orgId: string, db: Tx = getDb()): Promise<string | null> {
  authorize(actor, "usage.read", { orgId });
  return (await usageStore()).firstDay(orgId, db);
}
