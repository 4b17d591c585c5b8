/**
 * The chain hash's preimage is defined once (lib/audit/canonical.ts
 * chainPreimage) and shared by the server (node:crypto) and the browser-safe
 * verifier (@noble/hashes). The expected hashes below were computed by the
 * code before the two copies were merged: a change of the encoding would
 * break every stored hash, so it fails here first.
 */
import { describe, expect, it } from "vitest";
import { entryHash } from "@/lib/audit/chain";
import { chainHashOf } from "@/lib/audit/verify";

const entry = {
  orgId: "7f7e2a57-2b1e-4f43-9a55-4a1c1e0f0a11",
  actorType: "support" as const,
  actorId: "u-1",
  actorLabel: "support@provider.example",
  action: "zdr.restricted",
  before: { zdrStatus: "active", restriction: "none", version: 3, zdrScope: "all_requests" },
  after: { b: [1, { z: null, a: "é" }], zdrStatus: "active", restriction: "restricted" },
  reason: "Contract review",
  ticketRef: "SUP-2",
  createdAt: new Date("2026-11-02T10:20:30.456Z"),
  prevHash: "ab".repeat(32),
};
const global = { ...entry, orgId: null, before: undefined, after: null, actorId: null, ticketRef: null };

describe("the audit chain hash", () => {
  it("is unchanged since entries were first stored (golden values)", () => {
    expect(entryHash(entry)).toBe("95ecd63344737d305fc006b693cbe96ad1a2dd165cca0ea7098d14288a14d235");
    expect(entryHash(global)).toBe("625a88fad6bdf149cf5ebde0c55c5380d545015a643d55f0ade4231a92fa59ae");
  });

  it("the server's and the browser verifier's hashes agree, and any field changes it", () => {
    const record = { ...entry, id: 1, orgSeq: 0, createdAt: entry.createdAt.toISOString(), hash: "" };
    expect(chainHashOf(record)).toBe(entryHash(entry));
    for (const [k, v] of Object.entries({ action: "zdr.enabled", reason: "x", prevHash: "cd".repeat(32), after: { zdrStatus: "off" } })) {
      expect(entryHash({ ...entry, [k]: v }), k).not.toBe(entryHash(entry));
    }
  });
});

describe("the append's peaks", () => {
  it("are exactly the complete subtrees a root of that size reads (the formula the append's SQL uses)", async () => {
    const { peaksOf } = await import("@/lib/audit/tree");
    const { nodesRead, rootFrom } = await import("@/lib/audit/merkle");
    const key = (c: Array<[number, number]>) => c.map(([l, i]) => `${l}:${i}`).sort();
    for (let size = 1; size <= 300; size++) expect(key(peaksOf(size)), `size ${size}`).toEqual(key(nodesRead((r) => rootFrom(r, size))));
    expect(peaksOf(1_000_000)).toHaveLength(7); // 1,000,000 has 7 bits set
  });
});
