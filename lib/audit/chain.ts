/**
 * The tamper-evident audit chain. Each entry's hash covers its own fields and
 * the previous entry's hash; editing or removing any row breaks every later
 * link, which `npm run audit:verify` reports.
 */
import crypto from "node:crypto";
import { asc, gt, sql } from "drizzle-orm";
import { auditLog } from "@/lib/db/schema";
import { queryRows, type Tx } from "@/lib/db";
import { chainPreimage, type AuditEntryRecord } from "@/lib/audit/canonical";
import { planOrgTreeAppend } from "@/lib/audit/tree";

export const GENESIS_HASH = "0".repeat(64);
// Any constant works: it serialises writers of the chain, not of anything else.
const AUDIT_CHAIN_LOCK = 7286002;

export type AuditInput = {
  orgId: string | null;
  actorType: "user" | "support" | "service" | "system";
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  ticketRef: string | null;
  /**
   * When the recorded change happened, if not now: only the demo seed, which
   * writes a history that already happened onto a fresh log. The checkpoint
   * of the append is still signed with the real time.
   */
  at?: Date;
};

type HashedFields = Omit<AuditInput, "at"> & { createdAt: Date; prevHash: string };

export function entryHash(e: HashedFields): string {
  return crypto.createHash("sha256").update(chainPreimage(e)).digest("hex");
}

/**
 * Appends one entry. Call it inside the transaction of the change it records,
 * so the two commit together or not at all.
 *
 * Three statements whatever the tree costs: the chain lock; one read of the
 * chain's last hash, the next id and (for an org's entry) its tree's size
 * and peaks; one insert of the entry with, for an org, the tree nodes it
 * completes and its signed checkpoint (data-modifying CTEs).
 */
export async function appendAudit(tx: Tx, { at, ...input }: AuditInput): Promise<{ id: number; hash: string; orgSeq: number | null }> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const orgId = input.orgId;
  const [pre] = await queryRows<{ last_hash: string | null; id: string | number; size?: string | number; peaks?: unknown }>(
    tx,
    orgId
      ? sql`with cp as (select coalesce(max(tree_size), 0)::bigint as s from audit_checkpoints where org_id = ${orgId})
            select (select hash from audit_log order by id desc limit 1) as last_hash,
                   nextval(pg_get_serial_sequence('audit_log', 'id')) as id,
                   cp.s as size,
                   (select coalesce(json_agg(json_build_array(n.level, n.idx, n.hash)), '[]'::json)
                      from generate_series(0, floor(log(2, greatest(cp.s, 1)::numeric))::int) as l
                      join audit_tree_nodes n on n.org_id = ${orgId} and n.level = l and n.idx = 2 * (cp.s >> (l + 1))
                      where (cp.s >> l) & 1 = 1) as peaks
            from cp`
      : sql`select (select hash from audit_log order by id desc limit 1) as last_hash, nextval(pg_get_serial_sequence('audit_log', 'id')) as id`,
  );
  const id = Number(pre.id);
  const prevHash = pre.last_hash ?? GENESIS_HASH;
  // Millisecond precision: what JavaScript reads back is what was hashed.
  const createdAt = at ?? new Date();
  const hash = entryHash({ ...input, createdAt, prevHash });
  // The chain lock also serialises each org's tree, so its size is its next leaf index.
  const orgSeq = orgId ? Number(pre.size) : null;
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  const entry = sql`insert into audit_log (id, org_id, actor_type, actor_id, actor_label, action, before, after, reason, ticket_ref, created_at, prev_hash, hash, org_seq)
    values (${id}, ${orgId}::uuid, ${input.actorType}::actor_type, ${input.actorId}, ${input.actorLabel}, ${input.action}, ${json(input.before)}::jsonb, ${json(input.after)}::jsonb,
            ${input.reason}, ${input.ticketRef}, ${createdAt.toISOString()}::timestamptz, ${prevHash}, ${hash}, ${orgSeq})`;
  if (!orgId || orgSeq === null) {
    await tx.execute(entry);
    return { id, hash, orgSeq: null };
  }
  const rawPeaks = typeof pre.peaks === "string" ? JSON.parse(pre.peaks) : pre.peaks;
  const peaks = new Map<string, string>((rawPeaks as Array<[number, number, string]>).map(([l, i, h]) => [`${l}:${Number(i)}`, h]));
  const record = toEntryRecord({ ...input, id, orgSeq, createdAt, prevHash, hash });
  const { nodes, checkpoint: cp } = await planOrgTreeAppend(record, peaks, new Date());
  const nodeRows = sql.join(
    nodes.map((n) => sql`(${orgId}::uuid, ${n.level}::int, ${n.index}::bigint, ${n.hash})`),
    sql`, `,
  );
  await tx.execute(sql`with e as (${entry} returning id),
    n as (insert into audit_tree_nodes (org_id, level, idx, hash) values ${nodeRows} returning 1),
    c as (insert into audit_checkpoints (org_id, tree_size, root_hash, jws, created_at) values (${orgId}::uuid, ${cp.treeSize}, ${cp.rootHash}, ${cp.jws}, ${cp.timestamp}::timestamptz) returning 1)
    select 1`);
  return { id, hash, orgSeq };
}

type AuditRow = typeof auditLog.$inferSelect;

/** A stored org entry as its org exports it and as its Merkle leaf encodes it. */
export function toEntryRecord(r: Omit<AuditRow, "orgSeq" | "orgId"> & { orgId: string | null; orgSeq: number | null }): AuditEntryRecord {
  return {
    id: Number(r.id),
    orgSeq: Number(r.orgSeq),
    orgId: r.orgId!,
    actorType: r.actorType,
    actorId: r.actorId,
    actorLabel: r.actorLabel,
    action: r.action,
    before: r.before ?? null,
    after: r.after ?? null,
    reason: r.reason,
    ticketRef: r.ticketRef,
    createdAt: r.createdAt.toISOString(),
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

export type ChainReport = { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; problem: string };

/** Walks the whole chain in id order; names the first entry that does not verify. */
export async function verifyAuditChain(db: Tx, batchSize = 2000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let count = 0;
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id)).limit(batchSize);
    if (rows.length === 0) return { ok: true, entries: count };
    for (const r of rows) {
      count++;
      if (r.prevHash !== prevHash) {
        return { ok: false, entries: count, brokenAt: r.id, problem: "its prev_hash does not match the entry before it (an entry was removed or reordered)" };
      }
      const expected = entryHash({
        orgId: r.orgId,
        actorType: r.actorType,
        actorId: r.actorId,
        actorLabel: r.actorLabel,
        action: r.action,
        before: r.before,
        after: r.after,
        reason: r.reason,
        ticketRef: r.ticketRef,
        createdAt: r.createdAt,
        prevHash: r.prevHash,
      });
      if (expected !== r.hash) {
        return { ok: false, entries: count, brokenAt: r.id, problem: "its content does not match its hash (the entry was edited)" };
      }
      prevHash = r.hash;
      lastId = r.id;
    }
  }
}
