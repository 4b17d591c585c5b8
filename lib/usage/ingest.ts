/**
 * Usage ingest of the machine API: batches of metadata events from the
 * serving fleet. Invariant 1 (metadata only) and 3 (nothing lost) live here:
 * - the schema is strict: a field outside the design rejects the whole batch,
 *   and problems name JSON paths, never values;
 * - every check runs before any SQL that carries a value, because PostgreSQL
 *   writes the values of a failed statement into its own server log;
 * - events are idempotent by id: a replay counts as duplicates, a known id
 *   with different fields is a conflict (reported by id, never stored twice);
 * - the hourly and daily rollups are updated in the same statement as the
 *   insert, from exactly the rows it inserted, aggregated per key first so each
 *   rollup row takes one upsert per batch (not one per event).
 */
import { inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, queryRows, type Tx } from "@/lib/db";
import { organizations, projects } from "@/lib/db/schema";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { issueProblems, ValidationError, type FieldProblem } from "@/lib/errors";
import { PRODUCT_IDS } from "./products";
import { LATENCY_BUCKETS } from "./latency";
import { bounds, histogram } from "./rollups";

export const MAX_BATCH_EVENTS = 5000;
/** Clock skew the fleet may have; later than this is a bad timestamp, not an early event. */
export const MAX_FUTURE_MS = 5 * 60 * 1000;
const EARLIEST = Date.parse("2000-01-01T00:00:00Z");
/** Problems listed in one answer; a batch of 5,000 bad events would otherwise answer with megabytes. */
const MAX_PROBLEMS = 100;

// Identifiers, not free text: content cannot hide in a model name or an API key id.
const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/);

export const UsageEventSchema = z
  .object({
    id: z.uuid().meta({ description: "The fleet's id of the request; ingest is idempotent by it." }),
    orgId: z.uuid().meta({ description: "The organization the request was made for." }),
    occurredAt: z.iso.datetime({ offset: true }).meta({ description: "When the request was served (RFC 3339); at most 5 minutes in the future." }),
    product: z.enum(PRODUCT_IDS),
    model: identifier.meta({ description: "Model identifier: letters, digits and . _ : / @ + -, at most 128 characters." }),
    inputUnits: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ description: "Tokens, characters or seconds of audio, per product." }),
    outputUnits: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    status: z.enum(["ok", "client_error", "server_error"]),
    latencyMs: z.int().min(0).max(2_147_483_647),
    apiKeyId: identifier.nullable().optional().meta({ description: "The customer's API key id (an identifier, never the key)." }),
    projectId: z
      .uuid()
      .nullable()
      .optional()
      .meta({ description: "A project of the event's organization (an unknown project, or another organization's, rejects the batch)." }),
    zeroRetention: z.boolean().meta({ description: "Whether the request was served under Zero Data Retention." }),
  })
  .strict()
  .meta({ id: "UsageEvent", description: "The metadata of one API request. No other field is accepted: no content of any kind." });

export const UsageBatchSchema = z
  .object({ events: z.array(UsageEventSchema).min(1).max(MAX_BATCH_EVENTS) })
  .strict()
  .meta({ id: "UsageBatch", description: `1 to ${MAX_BATCH_EVENTS} events; rejected whole if any field of any event is invalid or unknown.` });

export const IngestResultSchema = z
  .object({
    accepted: z.int().min(0).meta({ description: "Events stored by this request." }),
    duplicates: z.int().min(0).meta({ description: "Events already stored with the same fields (a replay): counted once." }),
    conflicts: z.array(z.uuid()).meta({ description: "Ids already stored with different fields; the stored event is kept, the new one is not stored." }),
  })
  .strict()
  .meta({ id: "IngestResult" });

export type UsageEventInput = z.infer<typeof UsageEventSchema>;
export type IngestResult = z.infer<typeof IngestResultSchema>;

const UNKNOWN_FIELD = "unknown field: not part of the usage event schema (only metadata fields are accepted)";

function reject(problems: FieldProblem[]): never {
  const shown = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length - shown.length;
  throw new ValidationError(
    `The batch was rejected whole: ${problems.length} invalid field(s)${more > 0 ? ` (the first ${MAX_PROBLEMS} are listed)` : ""}. Nothing was stored.`,
    shown,
  );
}

/** Validates a parsed JSON body; everything that does not need the database. */
export function validateUsageBatch(body: unknown, now = Date.now()): UsageEventInput[] {
  const parsed = UsageBatchSchema.safeParse(body);
  if (!parsed.success) reject(issueProblems(parsed.error, "json", UNKNOWN_FIELD));
  const problems: FieldProblem[] = [];
  parsed.data.events.forEach((e, i) => {
    const t = Date.parse(e.occurredAt);
    if (t > now + MAX_FUTURE_MS) problems.push({ path: `$.events[${i}].occurredAt`, problem: "more than 5 minutes in the future" });
    else if (t < EARLIEST) problems.push({ path: `$.events[${i}].occurredAt`, problem: "before 2000-01-01" });
  });
  if (problems.length) reject(problems);
  return parsed.data.events;
}

const measures = sql`count(*), count(*) filter (where status <> 'ok'), sum(input_units), sum(output_units), sum(latency_ms), ${histogram}`;
const rollupUpdate = (table: string, bucket: string) =>
  sql.raw(`on conflict (org_id, ${bucket}, product, model, api_key_id, project_id) do update set
    requests = ${table}.requests + excluded.requests,
    errors = ${table}.errors + excluded.errors,
    input_units = ${table}.input_units + excluded.input_units,
    output_units = ${table}.output_units + excluded.output_units,
    latency_ms_sum = ${table}.latency_ms_sum + excluded.latency_ms_sum,
    latency_hist = array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `${table}.latency_hist[${i + 1}] + excluded.latency_hist[${i + 1}]`).join(", ")}]`);

const eventRecord = sql.raw(`x(id uuid, org_id uuid, occurred_at timestamptz, product product, model text, input_units bigint,
  output_units bigint, status usage_status, latency_ms integer, api_key_id text, project_id uuid, zero_retention boolean)`);

/** A batch checked whole against the control plane: what a store needs to write it. */
export type PreparedBatch = {
  /** The first event of each id, sorted by id (a stable lock order). */
  unique: UsageEventInput[];
  /** The same, as rows of the usage_events columns. */
  rows: UsageEventRow[];
  /** Repeats of an id inside the batch with the same fields. */
  duplicates: number;
  /** Ids repeated inside the batch with different fields. */
  conflicts: Set<string>;
  /** Each org's time zone (its calendar days are the daily rollup's). */
  timeZones: Map<string, string>;
};

export type UsageEventRow = {
  id: string;
  org_id: string;
  occurred_at: string;
  product: string;
  model: string;
  input_units: number;
  output_units: number;
  status: string;
  latency_ms: number;
  api_key_id: string | null;
  project_id: string | null;
  zero_retention: boolean;
};

/**
 * Validates a batch whole, against the schema and the control plane (orgs,
 * their projects), and folds repeats inside it. Every store ingests what
 * this answers, so the two stores accept and reject the same batches.
 */
export async function prepareUsageBatch(actor: Principal | null, body: unknown, db: Tx = getDb(), options: { now?: number } = {}): Promise<PreparedBatch> {
  authorize(actor, "usage.write");
  const events = validateUsageBatch(body, options.now);

  // Unknown organizations are a validation error too; the ids are checked UUIDs, so this query cannot fail on a value.
  const orgIds = [...new Set(events.map((e) => e.orgId))];
  const orgRows = await db.select({ id: organizations.id, timeZone: organizations.timeZone }).from(organizations).where(inArray(organizations.id, orgIds));
  const timeZones = new Map(orgRows.map((o) => [o.id, o.timeZone]));
  const unknownOrgs: FieldProblem[] = [];
  events.forEach((e, i) => {
    if (!timeZones.has(e.orgId)) unknownOrgs.push({ path: `$.events[${i}].orgId`, problem: "unknown organization" });
  });
  if (unknownOrgs.length) reject(unknownOrgs);

  // A project must be one of the event's own organization (the database enforces it too).
  const projectIds = [...new Set(events.flatMap((e) => (e.projectId ? [e.projectId] : [])))];
  if (projectIds.length) {
    const projectRows = await db.select({ id: projects.id, orgId: projects.orgId }).from(projects).where(inArray(projects.id, projectIds));
    const projectOrg = new Map(projectRows.map((p) => [p.id, p.orgId]));
    const badProjects: FieldProblem[] = [];
    events.forEach((e, i) => {
      if (e.projectId && projectOrg.get(e.projectId) !== e.orgId)
        badProjects.push({ path: `$.events[${i}].projectId`, problem: "unknown project of this organization" });
    });
    if (badProjects.length) reject(badProjects);
  }

  // The same id twice in one batch: the first counts; the second is a duplicate or a conflict like any replay.
  const firstById = new Map<string, UsageEventInput>();
  let duplicates = 0;
  const conflicts = new Set<string>();
  for (const e of events) {
    const seen = firstById.get(e.id);
    if (!seen) firstById.set(e.id, e);
    else if (sameEvent(seen, e)) duplicates++;
    else conflicts.add(e.id);
  }
  const unique = [...firstById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows = unique.map((e) => ({
    id: e.id,
    org_id: e.orgId,
    occurred_at: e.occurredAt,
    product: e.product,
    model: e.model,
    input_units: e.inputUnits,
    output_units: e.outputUnits,
    status: e.status,
    latency_ms: e.latencyMs,
    api_key_id: e.apiKeyId ?? null,
    project_id: e.projectId ?? null,
    zero_retention: e.zeroRetention,
  }));
  return { unique, rows, duplicates, conflicts, timeZones };
}

/**
 * Stores a batch: validates it whole, inserts new events, reports replays and
 * conflicts, and updates both rollups, all in one transaction.
 */
export async function ingestUsageBatch(actor: Principal | null, body: unknown, db: Tx = getDb(), options: { now?: number } = {}): Promise<IngestResult> {
  const prepared = await prepareUsageBatch(actor, body, db, options);
  return ingestPreparedBatch(prepared, db);
}

/** The PostgreSQL store's write of a prepared batch. */
export async function ingestPreparedBatch(prepared: PreparedBatch, db: Tx = getDb()): Promise<IngestResult> {
  const { unique, rows, conflicts } = prepared;
  let duplicates = prepared.duplicates;
  const payload = JSON.stringify(rows);

  return db.transaction(async (tx) => {
    // One statement: insert what is new, then aggregate exactly those rows (RETURNING) into both rollups.
    // PostgreSQL derives the hour and the org's local day as rebuildRollups does, so the two can never disagree.
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`with ins as (
            insert into usage_events (id, org_id, occurred_at, product, model, input_units, output_units, status, latency_ms, api_key_id, project_id, zero_retention)
            select * from jsonb_to_recordset(${payload}::jsonb) as ${eventRecord}
            on conflict (id) do nothing
            returning id, org_id, occurred_at, product, model, input_units, output_units, status, latency_ms, api_key_id, project_id
          ),
          src as (
            select ins.*, coalesce(ins.api_key_id, '') as key, coalesce(ins.project_id::text, '') as proj, width_bucket(ins.latency_ms, ${bounds}) as b,
                   date_trunc('hour', ins.occurred_at, 'UTC') as hour, (ins.occurred_at at time zone o.time_zone)::date as day
            from ins join organizations o on o.id = ins.org_id
          ),
          hourly as (
            insert into usage_rollups_hourly (org_id, hour, product, model, api_key_id, project_id, requests, errors, input_units, output_units, latency_ms_sum, latency_hist)
            select org_id, hour, product, model, key, proj, ${measures} from src
            group by org_id, hour, product, model, key, proj order by org_id, hour, product, model, key, proj
            ${rollupUpdate("usage_rollups_hourly", "hour")}
          ),
          daily as (
            insert into usage_rollups_daily (org_id, day, product, model, api_key_id, project_id, requests, errors, input_units, output_units, latency_ms_sum, latency_hist)
            select org_id, day, product, model, key, proj, ${measures} from src
            group by org_id, day, product, model, key, proj order by org_id, day, product, model, key, proj
            ${rollupUpdate("usage_rollups_daily", "day")}
          )
          select id from ins`,
    );
    const insertedIds = new Set(inserted.map((r) => r.id));
    if (insertedIds.size < unique.length) {
      const known = JSON.stringify(rows.filter((r) => !insertedIds.has(r.id)));
      const differing = await queryRows<{ id: string }>(
        tx,
        sql`select x.id from jsonb_to_recordset(${known}::jsonb) as ${eventRecord}
            join usage_events e on e.id = x.id
            where (e.org_id, e.occurred_at, e.product, e.model, e.input_units, e.output_units, e.status, e.latency_ms, e.api_key_id, e.project_id, e.zero_retention)
              is distinct from
                  (x.org_id, x.occurred_at, x.product, x.model, x.input_units, x.output_units, x.status, x.latency_ms, x.api_key_id, x.project_id, x.zero_retention)`,
      );
      for (const r of differing) conflicts.add(r.id);
      duplicates += unique.length - insertedIds.size - differing.length;
    }
    return { accepted: insertedIds.size, duplicates, conflicts: [...conflicts].sort() };
  });
}

export function sameEvent(a: UsageEventInput, b: UsageEventInput): boolean {
  return (
    a.orgId === b.orgId &&
    Date.parse(a.occurredAt) === Date.parse(b.occurredAt) &&
    a.product === b.product &&
    a.model === b.model &&
    a.inputUnits === b.inputUnits &&
    a.outputUnits === b.outputUnits &&
    a.status === b.status &&
    a.latencyMs === b.latencyMs &&
    (a.apiKeyId ?? null) === (b.apiKeyId ?? null) &&
    (a.projectId ?? null) === (b.projectId ?? null) &&
    a.zeroRetention === b.zeroRetention
  );
}
