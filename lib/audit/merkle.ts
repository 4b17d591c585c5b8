/**
 * RFC 6962 / 9162 Merkle tree hashing and proofs, as small pure functions.
 * No node:crypto: the same module runs in the CLI, the server and the
 * /verify page (SHA-256 from @noble/hashes, synchronous everywhere).
 * Hashes are 64 lowercase hex digits.
 */
import { sha256 } from "@noble/hashes/sha2.js";

export type Hex = string;

const HEX = /^[0-9a-f]{64}$/;
const enc = new TextEncoder();

export function toHex(bytes: Uint8Array): Hex {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error("not hex");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function isHash(value: unknown): value is Hex {
  return typeof value === "string" && HEX.test(value);
}

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Hex = toHex(sha256(new Uint8Array(0)));

/** Leaf hash: SHA-256(0x00 || leaf). A string leaf is hashed as its UTF-8 bytes. */
export function leafHash(leaf: Uint8Array | string): Hex {
  const data = typeof leaf === "string" ? enc.encode(leaf) : leaf;
  const buf = new Uint8Array(data.length + 1);
  buf[0] = 0x00;
  buf.set(data, 1);
  return toHex(sha256(buf));
}

/** Interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Hex, right: Hex): Hex {
  const buf = new Uint8Array(65);
  buf[0] = 0x01;
  buf.set(fromHex(left), 1);
  buf.set(fromHex(right), 33);
  return toHex(sha256(buf));
}

/** The largest power of two strictly less than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Reads the hash of a complete subtree: level l, index i covers leaves
 * [i * 2^l, (i + 1) * 2^l). Level 0 is the leaf hashes.
 */
export type NodeReader = (level: number, index: number) => Hex;

function isPow2(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/** MTH of leaves [start, start + size), from complete subtrees only. */
export function subtreeHash(read: NodeReader, start: number, size: number): Hex {
  if (size === 0) return EMPTY_ROOT;
  if (isPow2(size) && start % size === 0) return read(Math.log2(size), start / size);
  const k = splitPoint(size);
  return nodeHash(subtreeHash(read, start, k), subtreeHash(read, start + k, size - k));
}

export function rootFrom(read: NodeReader, size: number): Hex {
  return subtreeHash(read, 0, size);
}

/** RFC 9162 2.1.3.1 PATH(m, D[n]), from complete subtrees. */
export function inclusionPathFrom(read: NodeReader, index: number, size: number): Hex[] {
  if (!(index >= 0 && index < size)) throw new RangeError("leaf index outside the tree");
  const path: Hex[] = [];
  const walk = (m: number, start: number, n: number) => {
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, k);
      path.push(subtreeHash(read, start + k, n - k));
    } else {
      walk(m - k, start + k, n - k);
      path.push(subtreeHash(read, start, k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 9162 2.1.4.1 PROOF(m, D[n]) from complete subtrees. */
export function consistencyPathFrom(read: NodeReader, m: number, n: number): Hex[] {
  if (!(m >= 0 && m <= n)) throw new RangeError("the old size is larger than the new one");
  if (m === 0 || m === n) return [];
  const proof: Hex[] = [];
  const sub = (mm: number, start: number, nn: number, whole: boolean) => {
    if (mm === nn) {
      if (!whole) proof.push(subtreeHash(read, start, nn));
      return;
    }
    const k = splitPoint(nn);
    if (mm <= k) {
      sub(mm, start, k, whole);
      proof.push(subtreeHash(read, start + k, nn - k));
    } else {
      sub(mm - k, start + k, nn - k, false);
      proof.push(subtreeHash(read, start, k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/**
 * The (level, index) of every complete subtree a computation reads, so a
 * store can fetch them in one query before running it for real.
 */
export function nodesRead(run: (read: NodeReader) => unknown): Array<[number, number]> {
  const seen = new Map<string, [number, number]>();
  run((level, index) => {
    seen.set(`${level}:${index}`, [level, index]);
    return EMPTY_ROOT;
  });
  return [...seen.values()];
}

/** A reader over an in-memory list of leaf hashes (tests, small exports). */
export function memoryReader(leaves: Hex[]): NodeReader {
  const cache = new Map<string, Hex>();
  const read: NodeReader = (level, index) => {
    if (level === 0) {
      const h = leaves[index];
      if (h === undefined) throw new RangeError("no such leaf");
      return h;
    }
    const key = `${level}:${index}`;
    let h = cache.get(key);
    if (!h) {
      h = nodeHash(read(level - 1, 2 * index), read(level - 1, 2 * index + 1));
      cache.set(key, h);
    }
    return h;
  };
  return read;
}

export function merkleRoot(leaves: Hex[]): Hex {
  return rootFrom(memoryReader(leaves), leaves.length);
}
export function inclusionProof(leaves: Hex[], index: number): Hex[] {
  return inclusionPathFrom(memoryReader(leaves), index, leaves.length);
}
export function consistencyProof(leaves: Hex[], m: number, n: number): Hex[] {
  if (n > leaves.length) throw new RangeError("the new size is larger than the tree");
  return consistencyPathFrom(memoryReader(leaves), m, n);
}

/**
 * The nodes that complete when leaf `index` is appended (the leaf first,
 * then each parent whose right child it finished), given a reader that has
 * every complete node of the tree before it.
 */
export function completedByAppend(read: NodeReader, index: number, leaf: Hex): Array<{ level: number; index: number; hash: Hex }> {
  const out = [{ level: 0, index, hash: leaf }];
  let hash = leaf;
  let i = index;
  let level = 0;
  while (i % 2 === 1) {
    hash = nodeHash(read(level, i - 1), hash);
    i = (i - 1) / 2;
    level++;
    out.push({ level, index: i, hash });
  }
  return out;
}

/** The left siblings completedByAppend reads for leaf `index`. */
export function appendReads(index: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = index;
  let level = 0;
  while (i % 2 === 1) {
    out.push([level, i - 1]);
    i = (i - 1) / 2;
    level++;
  }
  return out;
}

// ---- Verifiers (RFC 9162 2.1.3.2 and 2.1.4.2) ----

/** The root an inclusion proof leads to, or null if the proof has the wrong shape. */
export function rootFromInclusionProof(index: number, size: number, leaf: Hex, proof: Hex[]): Hex | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  if (!isHash(leaf) || !proof.every(isHash)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export function verifyInclusion(index: number, size: number, leaf: Hex, proof: Hex[], root: Hex): boolean {
  return isHash(root) && rootFromInclusionProof(index, size, leaf, proof) === root;
}

export function verifyConsistency(m: number, n: number, oldRoot: Hex, newRoot: Hex, proof: Hex[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (!proof.every(isHash)) return false;
  if (m === n) return proof.length === 0 && oldRoot === newRoot;
  if (m === 0) return proof.length === 0;
  if (!isHash(oldRoot) || !isHash(newRoot) || proof.length === 0) return false;
  let path = proof;
  // When the old tree is a complete subtree of the new one, its root is the first node.
  if (isPow2(m)) path = [oldRoot, ...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr === oldRoot && sr === newRoot && sn === 0;
}
