/**
 * Verifiable records. (1) The cost the per-org Merkle tree adds to an audited
 * retention change: the same transaction (lock and update the org's
 * retention_states row, append its audit entry) with the entry in the org's
 * tree (leaf and completed subtrees stored, a checkpoint signed and stored)
 * and without (the same append as a chain-only entry, orgId null, which
 * skips the tree). Sequential, one writer, same database, same run; and the
 * full retention service change (notice, emails, webhooks) for scale.
 * Goal: with / without <= 1.2x.
 * (2) Proofs at 1M entries in one org: a tree of 1,000,000 leaves is written
 * into audit_tree_nodes (in SQL, complete subtrees as the append keeps
 * them), then inclusion and consistency proofs are produced through
 * lib/audit/tree.ts (one query each) and verified. Goals: <= 21 hashes,
 * p99 <= 5 ms to produce.
 */
import { eq, sql } from "drizzle-orm";
import { appendAudit } from "@/lib/audit/chain";
import { leafHash, verifyConsistency, verifyInclusion } from "@/lib/audit/merkle";
import { orgConsistencyProof, orgInclusionProof, orgRootAt } from "@/lib/audit/tree";
import { queryRows, type Db } from "@/lib/db";
import { retentionStates } from "@/lib/db/schema";
import { liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { createOrgs } from "../lib/generate";
import { percentile, round } from "../lib/stats";
import type { Benchmark, BenchRow } from "../lib/types";

const support = {
  kind: "user" as const,
  userId: "00000000-0000-4000-8000-0000000000a1",
  email: "bench@provider.example",
  name: "bench",
  isSupport: true,
  orgId: null,
  role: null,
  memberships: [],
};

/** One audited change: the state row locked and bumped, and its audit entry, in one transaction. */
async function change(db: Db, orgId: string, inTree: boolean, i: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from retention_states where org_id = ${orgId} for update`);
    const [s] = await tx
      .update(retentionStates)
      .set({ version: sql`${retentionStates.version} + 1`, updatedAt: new Date() })
      .where(eq(retentionStates.orgId, orgId))
      .returning();
    await appendAudit(tx, {
      orgId: inTree ? orgId : null,
      actorType: "system",
      actorId: null,
      actorLabel: "bench",
      action: i % 2 ? "zdr.restricted" : "zdr.restriction_lifted",
      before: { zdrStatus: s.zdrStatus, restriction: "none", version: s.version - 1 },
      after: { zdrStatus: s.zdrStatus, restriction: i % 2 ? "restricted" : "none", version: s.version },
      reason: "bench",
      ticketRef: `B-${i}`,
    });
  });
}

async function timed(n: number, fn: (i: number) => Promise<void>): Promise<{ rate: number; lat: number[] }> {
  const lat: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    lat.push(performance.now() - t);
  }
  return { rate: n / ((performance.now() - start) / 1000), lat };
}

/** Writes a tree of `n` leaves for `orgId` straight into audit_tree_nodes: leaf hashes, then each level of complete subtrees. */
async function buildTree(db: Db, orgId: string, n: number): Promise<void> {
  await db.execute(sql`
    insert into audit_tree_nodes (org_id, level, idx, hash)
    select ${orgId}::uuid, 0, g, encode(sha256(('\\x00'::bytea || convert_to('bench leaf ' || g, 'UTF8'))), 'hex')
    from generate_series(0, ${n - 1}::bigint) g`);
  for (let level = 1; ; level++) {
    const rows = await queryRows<{ n: string | number }>(
      db,
      sql`with ins as (
            insert into audit_tree_nodes (org_id, level, idx, hash)
            select a.org_id, ${level}, a.idx / 2, encode(sha256('\\x01'::bytea || decode(a.hash, 'hex') || decode(b.hash, 'hex')), 'hex')
            from audit_tree_nodes a
            join audit_tree_nodes b on b.org_id = a.org_id and b.level = a.level and b.idx = a.idx + 1
            where a.org_id = ${orgId} and a.level = ${level - 1} and a.idx % 2 = 0
            returning 1)
          select count(*) as n from ins`,
    );
    if (Number(rows[0].n) === 0) break;
  }
}

export const benchmark: Benchmark = {
  name: "audit",
  description: "retention change with the org's Merkle tree update vs without (chain only); inclusion and consistency proofs at 1M entries in one org",
  async run(ctx) {
    const db = ctx.handle.db;
    const rows: BenchRow[] = [];
    const changes = ctx.quick ? 300 : 2000;
    const [withOrg, withoutOrg, serviceOrg, treeOrg] = await createOrgs(db, 4, "audit");
    await db.execute(sql`update retention_states set zdr_status = 'active' where org_id in (${withOrg}, ${withoutOrg}, ${serviceOrg})`);

    // Warm both paths (the signing key, prepared plans), then alternate rounds so load drifts hit both alike.
    for (let i = 0; i < 20; i++) {
      await change(db, withOrg, true, i);
      await change(db, withoutOrg, false, i);
    }
    const w: number[] = [];
    const wo: number[] = [];
    let wMs = 0;
    let woMs = 0;
    const rounds = 10;
    for (let r = 0; r < rounds; r++) {
      const a = await timed(changes / rounds, (i) => change(db, withOrg, true, i));
      const b = await timed(changes / rounds, (i) => change(db, withoutOrg, false, i));
      w.push(...a.lat);
      wo.push(...b.lat);
      wMs += a.lat.reduce((x, y) => x + y, 0);
      woMs += b.lat.reduce((x, y) => x + y, 0);
    }
    const ratio = wMs / woMs;
    ctx.log(`append: with tree ${round(wMs / changes, 2)} ms/change, without ${round(woMs / changes, 2)} ms/change`);
    rows.push({
      benchmark: "audit",
      variant: "retention change + audit entry, chain only (no tree)",
      data: `${changes} sequential changes, 1 org`,
      rate: round(changes / (woMs / 1000)),
      unit: "changes/s",
      p50Ms: round(percentile(wo, 50), 2),
      p99Ms: round(percentile(wo, 99), 2),
    });
    rows.push({
      benchmark: "audit",
      variant: "retention change + audit entry in the org's Merkle tree + signed checkpoint",
      data: `${changes} sequential changes, 1 org (tree grows to ${changes + 20})`,
      rate: round(changes / (wMs / 1000)),
      unit: "changes/s",
      p50Ms: round(percentile(w, 50), 2),
      p99Ms: round(percentile(w, 99), 2),
      note: `${round(ratio, 2)}x the time of the chain-only change (goal <= 1.2x)`,
    });
    const full = await timed(Math.min(changes, 400), (i) =>
      (i % 2
        ? liftRestriction(support, { orgId: serviceOrg, reason: "bench lift" }, db)
        : restrictOrganization(support, { orgId: serviceOrg, reason: "provider_discretion", note: "bench" }, db)
      ).then(() => undefined),
    );
    rows.push({
      benchmark: "audit",
      variant: "full retention service change (state, audit + tree, notice, outbox)",
      data: `${full.lat.length} sequential restrict/lift, 1 org, no admins`,
      rate: round(full.rate),
      unit: "changes/s",
      p50Ms: round(percentile(full.lat, 50), 2),
      p99Ms: round(percentile(full.lat, 99), 2),
    });

    // Proofs at 1M entries.
    const n = ctx.quick ? 100_000 : 1_000_000;
    ctx.log(`building a tree of ${n.toLocaleString("en-US")} leaves in SQL`);
    const built = performance.now();
    await buildTree(db, treeOrg, n);
    ctx.log(`tree built in ${round((performance.now() - built) / 1000, 1)} s`);
    const root = await orgRootAt(db, treeOrg, n);
    const samples = ctx.quick ? 100 : 500;
    const incl: number[] = [];
    const cons: number[] = [];
    let maxIncl = 0;
    let maxCons = 0;
    let failures = 0;
    for (let k = 0; k < samples; k++) {
      const i = Math.floor(Math.random() * n);
      const t = performance.now();
      const proof = await orgInclusionProof(db, treeOrg, i, n);
      incl.push(performance.now() - t);
      maxIncl = Math.max(maxIncl, proof.length);
      const leaf = leafHash(`bench leaf ${i}`);
      if (!verifyInclusion(i, n, leaf, proof, root)) failures++;
      const m = 1 + Math.floor(Math.random() * (n - 1));
      const t2 = performance.now();
      const cproof = await orgConsistencyProof(db, treeOrg, m, n);
      cons.push(performance.now() - t2);
      maxCons = Math.max(maxCons, cproof.length);
      if (k < 20 && !verifyConsistency(m, n, await orgRootAt(db, treeOrg, m), root, cproof)) failures++;
    }
    if (failures) throw new Error(`audit bench: ${failures} proofs did not verify`);
    rows.push({
      benchmark: "audit",
      variant: "inclusion proof (one query of O(log n) stored nodes)",
      data: `${n.toLocaleString("en-US")} entries in one org, ${samples} random leaves, all verified`,
      rate: round(samples / (incl.reduce((a, b) => a + b, 0) / 1000)),
      unit: "proofs/s",
      p50Ms: round(percentile(incl, 50), 2),
      p99Ms: round(percentile(incl, 99), 2),
      note: `max ${maxIncl} hashes (goal <= 21); p99 goal <= 5 ms`,
    });
    rows.push({
      benchmark: "audit",
      variant: "consistency proof from a random older size",
      data: `${n.toLocaleString("en-US")} entries in one org, ${samples} random sizes`,
      rate: round(samples / (cons.reduce((a, b) => a + b, 0) / 1000)),
      unit: "proofs/s",
      p50Ms: round(percentile(cons, 50), 2),
      p99Ms: round(percentile(cons, 99), 2),
      note: `max ${maxCons} hashes`,
    });
    return rows;
  },
};
