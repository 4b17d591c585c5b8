/**
 * Each org's Merkle tree, kept in the database beside the global chain:
 * `audit_tree_nodes` holds every complete subtree, written in the append's
 * transaction, so the root and any proof cost one query of O(log n) rows.
 * A signed checkpoint of the new tree is stored on every append.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { auditCheckpoints, auditTreeNodes } from "@/lib/db/schema";
import { queryRows, type Tx } from "@/lib/db";
import { auditLeaf, type AuditEntryRecord } from "@/lib/audit/canonical";
import {
  appendReads,
  completedByAppend,
  consistencyPathFrom,
  inclusionPathFrom,
  leafHash,
  nodesRead,
  rootFrom,
  type Hex,
  type NodeReader,
} from "@/lib/audit/merkle";
import { signDocument } from "@/lib/signing";

export const CHECKPOINT_TYP = "zdr-audit-checkpoint+jws";

export type CheckpointPayload = { orgId: string; treeSize: number; rootHash: Hex; timestamp: string };
export type StoredCheckpoint = CheckpointPayload & { jws: string };

async function readNodes(db: Tx, orgId: string, coords: Array<[number, number]>): Promise<Map<string, Hex>> {
  const map = new Map<string, Hex>();
  if (coords.length === 0) return map;
  const pairs = sql.join(coords.map(([l, i]) => sql`(${l}::int, ${i}::bigint)`), sql`, `);
  const rows = await queryRows<{ level: number; idx: string | number; hash: string }>(
    db,
    sql`select level, idx, hash from audit_tree_nodes where org_id = ${orgId} and (level, idx) in (${pairs})`,
  );
  for (const r of rows) map.set(`${r.level}:${Number(r.idx)}`, r.hash);
  return map;
}

function mapReader(map: Map<string, Hex>): NodeReader {
  return (level, index) => {
    const h = map.get(`${level}:${index}`);
    if (!h) throw new Error(`audit tree: node ${level}/${index} is missing`);
    return h;
  };
}

/** Runs a tree computation over stored nodes, fetching every node it reads in one query. */
async function overStoredNodes<T>(db: Tx, orgId: string, run: (read: NodeReader) => T, extra?: Map<string, Hex>): Promise<T> {
  const coords = nodesRead(run).filter(([l, i]) => !extra?.has(`${l}:${i}`));
  const map = await readNodes(db, orgId, coords);
  for (const [k, v] of extra ?? []) map.set(k, v);
  return run(mapReader(map));
}

/** The latest stored checkpoint of an org, or null before its first entry. */
export async function latestCheckpoint(db: Tx, orgId: string): Promise<StoredCheckpoint | null> {
  const [row] = await db
    .select()
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.orgId, orgId))
    .orderBy(desc(auditCheckpoints.treeSize))
    .limit(1);
  if (!row) return null;
  return { orgId: row.orgId, treeSize: Number(row.treeSize), rootHash: row.rootHash, timestamp: row.createdAt.toISOString(), jws: row.jws };
}

export async function checkpointAt(db: Tx, orgId: string, treeSize: number): Promise<StoredCheckpoint | null> {
  const [row] = await db
    .select()
    .from(auditCheckpoints)
    .where(and(eq(auditCheckpoints.orgId, orgId), eq(auditCheckpoints.treeSize, treeSize)))
    .limit(1);
  if (!row) return null;
  return { orgId: row.orgId, treeSize: Number(row.treeSize), rootHash: row.rootHash, timestamp: row.createdAt.toISOString(), jws: row.jws };
}

/** The size the org's tree has now (its next leaf index). Call under the audit lock. */
export async function orgTreeSize(tx: Tx, orgId: string): Promise<number> {
  return (await latestCheckpoint(tx, orgId))?.treeSize ?? 0;
}

/**
 * Adds an entry as leaf `entry.orgSeq` of its org's tree: stores the leaf and
 * every subtree it completes, then signs and stores the new checkpoint.
 * Runs in the append's transaction, under the audit lock.
 */
export async function appendToOrgTree(tx: Tx, entry: AuditEntryRecord, at: Date): Promise<StoredCheckpoint> {
  const index = entry.orgSeq;
  const leaf = leafHash(auditLeaf(entry));
  const size = index + 1;
  // The left siblings the new leaf completes and the other peaks of the new tree, in one query.
  const peakReads = nodesRead((r) => rootFrom(r, size));
  const fetched = await readNodes(tx, entry.orgId, [...appendReads(index), ...peakReads]);
  const created = completedByAppend(mapReader(fetched), index, leaf);
  for (const n of created) fetched.set(`${n.level}:${n.index}`, n.hash);
  await tx.insert(auditTreeNodes).values(created.map((n) => ({ orgId: entry.orgId, level: n.level, idx: n.index, hash: n.hash })));
  const rootHash = rootFrom(mapReader(fetched), size);
  const payload: CheckpointPayload = { orgId: entry.orgId, treeSize: size, rootHash, timestamp: at.toISOString() };
  const jws = await signDocument(payload, { typ: CHECKPOINT_TYP });
  await tx.insert(auditCheckpoints).values({ orgId: entry.orgId, treeSize: size, rootHash, jws, createdAt: at });
  return { ...payload, jws };
}

export async function orgRootAt(db: Tx, orgId: string, size: number): Promise<Hex> {
  return overStoredNodes(db, orgId, (r) => rootFrom(r, size));
}

/** Inclusion proof of leaf `index` in the org's tree of `size` leaves: at most ceil(log2 size) hashes, one query. */
export async function orgInclusionProof(db: Tx, orgId: string, index: number, size: number): Promise<Hex[]> {
  return overStoredNodes(db, orgId, (r) => inclusionPathFrom(r, index, size));
}

/** Consistency proof between the org's tree at `from` leaves and at `to` leaves. */
export async function orgConsistencyProof(db: Tx, orgId: string, from: number, to: number): Promise<Hex[]> {
  return overStoredNodes(db, orgId, (r) => consistencyPathFrom(r, from, to));
}
