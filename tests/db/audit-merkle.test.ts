/**
 * Each org's Merkle tree is kept with every audit append; its export
 * verifies offline, and any change, removal, reordering or insertion of an
 * entry is detected (fast-check over random tamperings), while genuine
 * exports never raise a false alarm.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { withFreshDatabase } from "../helpers/db";

process.env.DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "zdr-merkle-"));
const { appendAudit, verifyAuditChain } = await import("@/lib/audit/chain");
const { exportAuditLog, auditConsistency } = await import("@/lib/audit/export");
const { latestCheckpoint, orgInclusionProof, orgRootAt } = await import("@/lib/audit/tree");
const { verifyDocumentText } = await import("@/lib/audit/verify");
const { merkleRoot, leafHash, verifyConsistency, verifyInclusion } = await import("@/lib/audit/merkle");
const { auditLeaf } = await import("@/lib/audit/canonical");
const { getDb } = await import("@/lib/db");
type Principal = import("@/lib/auth/principal").Principal;

const db = withFreshDatabase();

function adminOf(orgId: string, role: "admin" | "member" = "admin"): Principal {
  return {
    kind: "user",
    userId: crypto.randomUUID(),
    email: "a@x.example",
    name: "A",
    isSupport: false,
    orgId,
    role,
    memberships: [{ orgId, orgName: "Org", role }],
  };
}

async function append(orgId: string | null, n: number, label = "x") {
  for (let i = 0; i < n; i++) {
    await getDb().transaction((tx) =>
      appendAudit(tx, {
        orgId,
        actorType: "support",
        actorId: null,
        actorLabel: "support",
        action: "zdr.enabled",
        before: { n: i },
        after: { n: i + 1, label },
        reason: "test",
        ticketRef: null,
      }),
    );
  }
}

const orgA = crypto.randomUUID();
const orgB = crypto.randomUUID();

describe("per-org Merkle tree", () => {
  it("keeps each org's tree beside the global chain, with a signed checkpoint per append", async () => {
    db.handle();
    await append(orgA, 13);
    await append(orgB, 5);
    await append(null, 2);
    await append(orgA, 4);
    expect(await verifyAuditChain(getDb())).toEqual({ ok: true, entries: 24 });
    const cp = await latestCheckpoint(getDb(), orgA);
    expect(cp?.treeSize).toBe(17);
    expect(cp?.rootHash).toMatch(/^[0-9a-f]{64}$/);
    const [, payload] = cp!.jws.split(".");
    expect(JSON.parse(Buffer.from(payload, "base64url").toString())).toEqual({ orgId: orgA, treeSize: 17, rootHash: cp!.rootHash, timestamp: cp!.timestamp });
    expect(JSON.parse(Buffer.from(cp!.jws.split(".")[0], "base64url").toString()).kid).toBeTruthy();
    expect((await latestCheckpoint(getDb(), orgB))?.treeSize).toBe(5);
  });

  it("the stored tree's root and proofs match a tree recomputed from the entries", async () => {
    const doc = await exportAuditLog(adminOf(orgA), { orgId: orgA });
    const leaves = doc.entries.map((e) => leafHash(auditLeaf(e.entry)));
    expect(await orgRootAt(getDb(), orgA, 17)).toBe(merkleRoot(leaves));
    for (let size = 1; size <= 17; size++) expect(await orgRootAt(getDb(), orgA, size)).toBe(merkleRoot(leaves.slice(0, size)));
    const proof = await orgInclusionProof(getDb(), orgA, 6, 17);
    expect(verifyInclusion(6, 17, leaves[6], proof, merkleRoot(leaves))).toBe(true);
    expect(doc.entries.every((e) => e.entry.orgId === orgA)).toBe(true);
  });

  it("the export verifies; a member gets no export; another org's admin gets a 404", async () => {
    const doc = await exportAuditLog(adminOf(orgA), { orgId: orgA });
    const r = await verifyDocumentText(JSON.stringify(doc));
    expect(r).toMatchObject({ ok: true, kind: "audit_export" });
    await expect(exportAuditLog(adminOf(orgA, "member"), { orgId: orgA })).rejects.toMatchObject({ code: "forbidden" });
    await expect(exportAuditLog(adminOf(orgB), { orgId: orgA })).rejects.toMatchObject({ code: "not_found" });
  });

  it("yesterday's checkpoint and today's are proven consistent; a rewritten history is not", async () => {
    const yesterday = await latestCheckpoint(getDb(), orgB);
    await append(orgB, 6, "today");
    const answer = await auditConsistency(adminOf(orgB), { orgId: orgB, from: yesterday!.treeSize });
    const today = await latestCheckpoint(getDb(), orgB);
    expect(answer.toSize).toBe(11);
    expect(verifyConsistency(yesterday!.treeSize, today!.treeSize, yesterday!.rootHash, today!.rootHash, answer.proof)).toBe(true);
    // A history where entry 3 was rewritten has another root at 11 that no proof links to yesterday's.
    const doc = await exportAuditLog(adminOf(orgB), { orgId: orgB });
    const leaves = doc.entries.map((e) => leafHash(auditLeaf(e.entry)));
    leaves[2] = leafHash("rewritten");
    expect(verifyConsistency(yesterday!.treeSize, 11, yesterday!.rootHash, merkleRoot(leaves), answer.proof)).toBe(false);
  });

  it("detects every random tampering of a genuine export (change, remove, reorder, insert) and never flags a genuine one", async () => {
    const genuine = await exportAuditLog(adminOf(orgA), { orgId: orgA });
    const text = JSON.stringify(genuine);
    expect((await verifyDocumentText(text)).ok).toBe(true);
    const n = genuine.entries.length;
    const fields = ["action", "actorLabel", "reason", "createdAt", "before", "after", "orgSeq", "id", "hash", "prevHash", "ticketRef", "actorId"] as const;
    const tamper = fc.oneof(
      fc.record({ op: fc.constant("change" as const), i: fc.nat(n - 1), field: fc.constantFrom(...fields) }),
      fc.record({ op: fc.constant("remove" as const), i: fc.nat(n - 1) }),
      fc.record({ op: fc.constant("swap" as const), i: fc.nat(n - 1), j: fc.nat(n - 1) }).filter((t) => t.i !== t.j),
      fc.record({ op: fc.constant("insert" as const), i: fc.nat(n), from: fc.nat(n - 1) }),
      fc.record({ op: fc.constant("proof" as const), i: fc.nat(n - 1) }),
    );
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        const doc = JSON.parse(text) as typeof genuine;
        if (t.op === "change") {
          const e = doc.entries[t.i].entry as unknown as Record<string, unknown>;
          const v = e[t.field];
          e[t.field] = typeof v === "number" ? v + 1 : v === null ? "x" : typeof v === "string" ? v + "x" : { ...(v as object), tampered: true };
        } else if (t.op === "remove") doc.entries.splice(t.i, 1);
        else if (t.op === "swap") [doc.entries[t.i], doc.entries[t.j]] = [doc.entries[t.j], doc.entries[t.i]];
        else if (t.op === "insert") doc.entries.splice(t.i, 0, structuredClone(doc.entries[t.from]));
        else if (doc.entries[t.i].inclusionProof.length > 0) doc.entries[t.i].inclusionProof[0] = "0".repeat(64);
        else doc.entries[t.i].inclusionProof.push("0".repeat(64));
        const r = await verifyDocumentText(JSON.stringify(doc));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    // No false alarms: every genuine export verifies as its org grows.
    for (let k = 0; k < 5; k++) {
      await append(orgA, 1, `more ${k}`);
      expect((await verifyDocumentText(JSON.stringify(await exportAuditLog(adminOf(orgA), { orgId: orgA })))).ok).toBe(true);
    }
  });

  it("says what is wrong with a truncated file, a stranger's key or a non-document", async () => {
    const doc = await exportAuditLog(adminOf(orgA), { orgId: orgA });
    const text = JSON.stringify(doc);
    expect(await verifyDocumentText(text.slice(0, 200))).toMatchObject({ ok: false, problem: expect.stringContaining("truncated") });
    expect(await verifyDocumentText("hello")).toMatchObject({ ok: false, kind: "unknown" });
    expect(await verifyDocumentText(doc.checkpoint!.slice(0, -10) + "AAAAAAAAAA")).toMatchObject({ ok: false, problem: expect.stringContaining("signature") });
    expect(await verifyDocumentText(JSON.stringify({ ...doc, jwks: { keys: [] } }))).toMatchObject({
      ok: false,
      problem: expect.stringContaining("does not hold"),
    });
    expect(await verifyDocumentText(doc.checkpoint!, doc.jwks)).toMatchObject({ ok: true, kind: "checkpoint" });
  });

  it("npm run verify: exit 0 on the genuine export, 2 naming the entry after one altered byte, one line for a truncated or foreign file", async () => {
    const doc = await exportAuditLog(adminOf(orgA), { orgId: orgA });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-verify-cli-"));
    const run = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/verify.ts", file], { encoding: "utf8", env: { ...process.env, DATA_DIR: dir } });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const text = JSON.stringify(doc, null, 2);
    const good = run("good.json", text);
    expect(good.status, good.out).toBe(0);
    expect(good.out).toContain("VERIFIED");
    const altered = text.replace('"reason": "test"', '"reason": "tost"');
    const bad = run("bad.json", altered);
    expect(bad.status).toBe(2);
    expect(bad.out).toMatch(/NOT VERIFIED \(audit export\): Entry 1 \(zdr.enabled\) was changed/);
    const truncated = run("cut.json", text.slice(0, text.length / 2));
    expect(truncated.status).toBe(2);
    expect(truncated.out.trim().split("\n")).toHaveLength(1);
    expect(truncated.out).toContain("truncated");
    const foreign = run("x.txt", "not a document");
    expect(foreign.status).toBe(2);
    expect(foreign.out).not.toMatch(/at .*\.ts:\d+/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("16 concurrent writers across 8 orgs: every org's tree and the global chain verify", async () => {
    const orgs = Array.from({ length: 8 }, () => crypto.randomUUID());
    const perWriter = 6;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let k = 0; k < perWriter; k++) await append(orgs[(w + k) % 8], 1, `w${w}`);
      }),
    );
    expect((await verifyAuditChain(getDb())).ok).toBe(true);
    let total = 0;
    for (const o of orgs) {
      const doc = await exportAuditLog(adminOf(o), { orgId: o });
      total += doc.entries.length;
      expect(await verifyDocumentText(JSON.stringify(doc))).toMatchObject({ ok: true });
    }
    expect(total).toBe(16 * perWriter);
  }, 120_000);
});
