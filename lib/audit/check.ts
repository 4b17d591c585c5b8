/**
 * The operator's check of one org's Merkle tree: the leaves recomputed from
 * the stored entries (in org_seq order, none missing), the stored subtrees'
 * root, and the latest checkpoint's signature and root must all agree. Used
 * by the adversarial suite (also after a dump and restore) and the bench.
 */
import { asc, eq } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { auditLog } from "@/lib/db/schema";
import { verifyDocument } from "@/lib/signing";
import { toEntryRecord } from "./chain";
import { auditLeaf } from "./canonical";
import { leafHash, merkleRoot } from "./merkle";
import { latestCheckpoint, orgRootAt } from "./tree";

export type TreeReport = { ok: true; entries: number } | { ok: false; entries: number; problem: string };

export async function verifyOrgTree(db: Tx, orgId: string): Promise<TreeReport> {
  const rows = await db.select().from(auditLog).where(eq(auditLog.orgId, orgId)).orderBy(asc(auditLog.orgSeq));
  const entries = rows.filter((r) => r.orgSeq !== null).map(toEntryRecord);
  const gap = entries.findIndex((e, i) => e.orgSeq !== i);
  if (gap >= 0) return { ok: false, entries: entries.length, problem: `leaf ${gap} is missing or out of place` };
  const cp = await latestCheckpoint(db, orgId);
  if (!cp) return entries.length === 0 ? { ok: true, entries: 0 } : { ok: false, entries: entries.length, problem: "entries but no checkpoint" };
  if (cp.treeSize !== entries.length)
    return { ok: false, entries: entries.length, problem: `the checkpoint signs ${cp.treeSize} entries, the log holds ${entries.length}` };
  const recomputed = merkleRoot(entries.map((e) => leafHash(auditLeaf(e))));
  if (recomputed !== cp.rootHash) return { ok: false, entries: entries.length, problem: "the entries' root differs from the checkpoint's" };
  if ((await orgRootAt(db, orgId, cp.treeSize)) !== cp.rootHash)
    return { ok: false, entries: entries.length, problem: "the stored subtrees' root differs from the checkpoint's" };
  try {
    const { payload } = await verifyDocument<{ orgId: string; treeSize: number; rootHash: string }>(cp.jws);
    if (payload.orgId !== orgId || payload.treeSize !== cp.treeSize || payload.rootHash !== cp.rootHash)
      return { ok: false, entries: entries.length, problem: "the checkpoint's signed payload differs from its row" };
  } catch {
    return { ok: false, entries: entries.length, problem: "the checkpoint's signature does not verify" };
  }
  return { ok: true, entries: entries.length };
}
