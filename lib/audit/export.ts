/**
 * The audit export an org's admins download (/retention/audit-log.json):
 * every entry of their org, an inclusion proof of each in the latest signed
 * checkpoint's tree, the checkpoint, and the JWKS that verifies it. A
 * customer checks it offline (npm run verify, /verify) without trusting us.
 */
import { asc, eq } from "drizzle-orm";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { getDb, type Tx } from "@/lib/db";
import { auditLog } from "@/lib/db/schema";
import { toEntryRecord } from "@/lib/audit/chain";
import { inclusionProof, leafHash, type Hex } from "@/lib/audit/merkle";
import { auditLeaf, type AuditEntryRecord } from "@/lib/audit/canonical";
import { checkpointAt, latestCheckpoint, orgConsistencyProof } from "@/lib/audit/tree";
import { jwks, type Jwks } from "@/lib/signing";
import { ValidationError } from "@/lib/errors";
import { zdrCoverage, type CoverageInterval } from "@/lib/audit/coverage";

export const EXPORT_TYPE = "zdr_audit_export";

export type AuditExport = {
  type: typeof EXPORT_TYPE;
  version: 1;
  orgId: string;
  generatedAt: string;
  checkpoint: string | null;
  jwks: Jwks;
  entries: Array<{ entry: AuditEntryRecord; inclusionProof: Hex[] }>;
  /** When ZDR was honoured and when not, derived from the entries above (the verifier recomputes it). */
  coverage: CoverageInterval[];
};

/** Builds the export in one snapshot (a repeatable-read transaction), so entries and checkpoint agree. */
export async function exportAuditLog(actor: Principal, input: { orgId: string }, db = getDb()): Promise<AuditExport> {
  authorize(actor, "retention.audit.export", { orgId: input.orgId });
  const keys = await jwks();
  return db.transaction(
    async (tx) => {
      const cp = await latestCheckpoint(tx, input.orgId);
      const size = cp?.treeSize ?? 0;
      const rows = await tx.select().from(auditLog).where(eq(auditLog.orgId, input.orgId)).orderBy(asc(auditLog.orgSeq));
      const entries = rows.filter((r) => r.orgSeq !== null && r.orgSeq < size).map(toEntryRecord);
      const leaves = entries.map((e) => leafHash(auditLeaf(e)));
      return {
        type: EXPORT_TYPE,
        version: 1 as const,
        orgId: input.orgId,
        generatedAt: new Date().toISOString(),
        checkpoint: cp?.jws ?? null,
        jwks: keys,
        entries: entries.map((entry, i) => ({ entry, inclusionProof: inclusionProof(leaves, i) })),
        coverage: zdrCoverage(entries),
      };
    },
    { isolationLevel: "repeatable read" },
  );
}

export type ConsistencyAnswer = { orgId: string; fromSize: number; toSize: number; fromRootHash: Hex; proof: Hex[]; checkpoint: string };

/** A consistency proof from a checkpoint the customer kept (its tree size) to the latest one. */
export async function auditConsistency(actor: Principal, input: { orgId: string; from: number }, db: Tx = getDb()): Promise<ConsistencyAnswer> {
  authorize(actor, "retention.audit.export", { orgId: input.orgId });
  const latest = await latestCheckpoint(db, input.orgId);
  if (!latest || input.from < 1 || input.from > latest.treeSize) {
    throw new ValidationError("from: must be a tree size between 1 and the latest checkpoint's", [
      { path: "from", problem: "must be a tree size between 1 and the latest checkpoint's" },
    ]);
  }
  const old = await checkpointAt(db, input.orgId, input.from);
  const proof = await orgConsistencyProof(db, input.orgId, input.from, latest.treeSize);
  return { orgId: input.orgId, fromSize: input.from, toSize: latest.treeSize, fromRootHash: old?.rootHash ?? "", proof, checkpoint: latest.jws };
}

/** The latest signed checkpoint of the org, for /retention (admins). */
export async function latestAuditCheckpoint(actor: Principal, input: { orgId: string }, db: Tx = getDb()) {
  authorize(actor, "retention.audit.export", { orgId: input.orgId });
  return latestCheckpoint(db, input.orgId);
}
