import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { consistencyProof, EMPTY_ROOT, fromHex, inclusionProof, leafHash, merkleRoot, nodeHash, verifyConsistency, verifyInclusion } from "@/lib/audit/merkle";

// Test vectors of transparency-dev/merkle (testonly/constants.go, proof/verify_test.go), from RFC 6962's reference code.
const LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map((h) => leafHash(fromHex(h)));
const ROOTS = [
  EMPTY_ROOT,
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const INCLUSION: Array<[number, number, string[]]> = [
  [1, 1, []],
  [
    1,
    8,
    [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  ],
  [
    6,
    8,
    [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
  [3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]],
  [
    2,
    5,
    [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  ],
];
const CONSISTENCY: Array<[number, number, string[]]> = [
  [1, 1, []],
  [
    1,
    8,
    [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  ],
  [
    6,
    8,
    [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
  [2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]],
  [
    6,
    7,
    [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  ],
];
const SOME = "abacaba000000000000000000000000000000000000000000060061e00123456";

function flip(h: string): string {
  return (parseInt(h[0], 16) ^ 8).toString(16) + h.slice(1);
}

describe("RFC 6962 Merkle tree", () => {
  it("hashes leaves and nodes with domain separation", () => {
    expect(leafHash(new Uint8Array(0))).toBe(ROOTS[1]);
    expect(nodeHash(LEAVES[0], LEAVES[1])).toBe(ROOTS[2]);
  });

  it("computes the root of every prefix of the test leaves", () => {
    for (let n = 0; n <= 8; n++) expect(merkleRoot(LEAVES.slice(0, n))).toBe(ROOTS[n]);
  });

  it("produces and verifies the inclusion proofs of the test vectors", () => {
    for (const [leaf, size, proof] of INCLUSION) {
      const leaves = LEAVES.slice(0, size);
      expect(inclusionProof(leaves, leaf - 1)).toEqual(proof);
      expect(verifyInclusion(leaf - 1, size, LEAVES[leaf - 1], proof, ROOTS[size])).toBe(true);
    }
  });

  it("rejects every corruption of an inclusion proof (the reference suite's probes)", () => {
    for (const [leaf, size, proof] of INCLUSION) {
      const i = leaf - 1;
      const root = ROOTS[size];
      const lh = LEAVES[i];
      const probes: Array<[number, number, string, string[], string]> = [
        [i - 1, size, lh, proof, root],
        [i + 1, size, lh, proof, root],
        [i ^ 2, size, lh, proof, root],
        [i, size * 2, lh, proof, root],
        [i, Math.floor(size / 2), lh, proof, root],
        [i, size, leafHash("WrongLeaf"), proof, root],
        [i, size, lh, proof, EMPTY_ROOT],
        [i, size, lh, proof, SOME],
        [i, size, lh, [...proof, root], root],
        [i, size, lh, [root, ...proof], root],
        ...proof.map((_, k): [number, number, string, string[], string] => [i, size, lh, proof.map((p, j) => (j === k ? flip(p) : p)), root]),
      ];
      if (proof.length > 0) probes.push([i, size, lh, proof.slice(0, -1), root]);
      if (proof.length > 1) probes.push([i, size, lh, [proof[0], SOME, ...proof.slice(1)], root]);
      for (const [pi, ps, pl, pp, pr] of probes) {
        if (pi === i && ps === size && pl === lh && pr === root && pp === proof) continue;
        expect(verifyInclusion(pi, ps, pl, pp, pr), `probe ${pi}/${ps}`).toBe(false);
      }
    }
  });

  it("produces and verifies the consistency proofs of the test vectors", () => {
    for (const [m, n, proof] of CONSISTENCY) {
      expect(consistencyProof(LEAVES, m, n)).toEqual(proof);
      expect(verifyConsistency(m, n, ROOTS[m], ROOTS[n], proof)).toBe(true);
    }
  });

  it("rejects every corruption of a consistency proof", () => {
    for (const [m, n, proof] of CONSISTENCY) {
      if (proof.length === 0) continue;
      const r1 = ROOTS[m];
      const r2 = ROOTS[n];
      const probes: Array<[number, number, string, string, string[]]> = [
        [m - 1, n, r1, r2, proof],
        [m + 1, n, r1, r2, proof],
        [m ^ 2, n, r1, r2, proof],
        [m, n * 2, r1, r2, proof],
        [m, Math.floor(n / 2), r1, r2, proof],
        [m, n, SOME, r2, proof],
        [m, n, r1, SOME, proof],
        [m, n, r2, r1, proof],
        [m, n, r1, r2, []],
        [m, n, r1, r2, [...proof, r1]],
        [m, n, r1, r2, [...proof, r2]],
        [m, n, r1, r2, [r1, ...proof]],
        [m, n, r1, r2, [r2, ...proof]],
        [m, n, r1, r2, [proof[0], ...proof]],
        [m, n, r1, r2, proof.slice(0, -1)],
        ...proof.map((_, k): [number, number, string, string, string[]] => [m, n, r1, r2, proof.map((p, j) => (j === k ? flip(p) : p))]),
      ];
      for (const [a, b, x, y, p] of probes) expect(verifyConsistency(a, b, x, y, p), `probe ${a}-${b}`).toBe(false);
    }
  });

  it("edge cases of consistency follow the reference: equal sizes need equal roots and no proof", () => {
    expect(verifyConsistency(0, 0, SOME, SOME, [])).toBe(true);
    expect(verifyConsistency(0, 1, SOME, EMPTY_ROOT, [])).toBe(true);
    expect(verifyConsistency(1, 1, SOME, EMPTY_ROOT, [])).toBe(false);
    expect(verifyConsistency(1, 0, SOME, SOME, [])).toBe(false);
    expect(verifyConsistency(1, 2, ROOTS[1], ROOTS[2], [])).toBe(false);
    expect(verifyConsistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])).toBe(false);
  });

  it("every proof of random trees verifies, and a changed leaf does not", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (n, a, b) => {
        const leaves = Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));
        const root = merkleRoot(leaves);
        const i = a % n;
        const proof = inclusionProof(leaves, i);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(verifyInclusion(i, n, leaves[i], proof, root)).toBe(true);
        expect(verifyInclusion(i, n, leafHash("other"), proof, root)).toBe(false);
        const m = b % (n + 1);
        const cp = consistencyProof(leaves, m, n);
        expect(verifyConsistency(m, n, merkleRoot(leaves.slice(0, m)), root, cp)).toBe(true);
        if (m > 0 && m < n) {
          const rewritten = [...leaves.slice(0, m - 1), leafHash("rewritten"), ...leaves.slice(m)];
          expect(verifyConsistency(m, n, merkleRoot(leaves.slice(0, m)), merkleRoot(rewritten), consistencyProof(rewritten, m, n))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
