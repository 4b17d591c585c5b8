/**
 * Each org's Merkle tree, kept in the database beside the global chain:
 * `audit_tree_nodes` holds every complete subtree, written in the append's
 * transaction, so the root and any proof cost one query of O(log n) rows.
 * A signed checkpoint of the new tree is stored on every append.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { auditCheckpoints } from "@/lib/db/schema";
import { queryRows, type Tx } from "@/lib/db";
import { auditLeaf, type AuditEntryRecord } from "@/lib/audit/canonical";
import { completedByAppend, consistencyPathFrom, inclusionPathFrom, leafHash, nodesRead, rootFrom, type Hex, type NodeReader } from "@/lib/audit/merkle";
import { signDocument } from "@/lib/signing";

export const CHECKPOINT_TYP = "zdr-audit-checkpoint+jws";

export type CheckpointPayload = { orgId: string; treeSize: number; rootHash: Hex; timestamp: string };
export type StoredCheckpoint = CheckpointPayload & { jws: string };

async function readNodes(db: Tx, orgId: string, coords: Array<[number, number]>): Promise<Map<string, Hex>> {
  const map = new Map<string, Hex>();
  if (coords.length === 0) return map;
  const pairs = sql.join(
    coords.map(([l, i]) => sql`(${l}::int, ${i}::bigint)`),
    sql`, `,
  );
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
  const [row] = await db.select().from(auditCheckpoints).where(eq(auditCheckpoints.orgId, orgId)).orderBy(desc(auditCheckpoints.treeSize)).limit(1);
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

/**
 * The complete subtrees whose hashes make up the root of a tree of `size`
 * leaves, one per set bit of size: at level l, index 2 * (size >> (l + 1)).
 * They are all an append reads (the left siblings it completes, and the
 * other peaks of the new root); the append's query fetches them in SQL with
 * the same formula.
 */
export function peaksOf(size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let l = 0; 2 ** l <= size; l++) if (Math.floor(size / 2 ** l) % 2 === 1) out.push([l, 2 * Math.floor(size / 2 ** (l + 1))]);
  return out;
}

/**
 * Plans leaf `entry.orgSeq` of its org's tree, given the peaks of the tree
 * before it (peaksOf(orgSeq), keyed "level:index"): the nodes it completes
 * (the leaf first) and the new signed checkpoint. The caller writes both in
 * the append's statement, under the audit lock.
 */
export async function planOrgTreeAppend(
  entry: AuditEntryRecord,
  peaks: Map<string, Hex>,
  at: Date,
): Promise<{ nodes: Array<{ level: number; index: number; hash: Hex }>; checkpoint: StoredCheckpoint }> {
  const index = entry.orgSeq;
  const leaf = leafHash(auditLeaf(entry));
  const size = index + 1;
  const known = new Map(peaks);
  const nodes = completedByAppend(mapReader(known), index, leaf);
  for (const n of nodes) known.set(`${n.level}:${n.index}`, n.hash);
  const rootHash = rootFrom(mapReader(known), size);
  const payload: CheckpointPayload = { orgId: entry.orgId, treeSize: size, rootHash, timestamp: at.toISOString() };
  const jws = await signDocument(payload, { typ: CHECKPOINT_TYP });
  return { nodes, checkpoint: { ...payload, jws } };
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
