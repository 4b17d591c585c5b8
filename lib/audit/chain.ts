/**
 * The tamper-evident audit chain. Each entry's hash covers its own fields and
 * the previous entry's hash; editing or removing any row breaks every later
 * link, which `npm run audit:verify` reports.
 */
import crypto from "node:crypto";
import { asc, desc, gt, sql } from "drizzle-orm";
import { auditLog } from "@/lib/db/schema";
import type { Tx } from "@/lib/db";
import { chainPreimage, type AuditEntryRecord } from "@/lib/audit/canonical";
import { appendToOrgTree, orgTreeSize } from "@/lib/audit/tree";

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
 */
export async function appendAudit(tx: Tx, { at, ...input }: AuditInput): Promise<{ id: number; hash: string; orgSeq: number | null }> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const prevHash = last?.hash ?? GENESIS_HASH;
  // Millisecond precision: what JavaScript reads back is what was hashed.
  const createdAt = at ?? new Date();
  const hash = entryHash({ ...input, createdAt, prevHash });
  // The chain lock also serialises each org's tree, so its size is its next leaf index.
  const orgSeq = input.orgId ? await orgTreeSize(tx, input.orgId) : null;
  const [row] = await tx
    .insert(auditLog)
    .values({
      ...input,
      before: input.before ?? null,
      after: input.after ?? null,
      createdAt,
      prevHash,
      hash,
      orgSeq,
    })
    .returning({ id: auditLog.id });
  if (input.orgId && orgSeq !== null) {
    await appendToOrgTree(tx, toEntryRecord({ ...input, id: row.id, orgSeq, createdAt, prevHash, hash }), new Date());
  }
  return { id: row.id, hash, orgSeq };
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

export type ChainReport =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; problem: string };

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
