/**
 * Verifies the documents we sign, offline: a checkpoint, an audit export, a
 * monthly statement, a removal certificate. Pure (jose over WebCrypto,
 * @noble/hashes), so the CLI and the /verify page run the same code and
 * nothing is uploaded. Every answer is one plain sentence; it never throws.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, type JSONWebKeySet } from "jose";
import { AUDIT_ENTRY_FIELDS, auditLeaf, canonicalJson, chainPreimage, type AuditEntryRecord } from "./canonical";
import { isHash, leafHash, toHex, verifyInclusion } from "./merkle";
import { zdrCoverage } from "./coverage";

export type DocumentKind = "checkpoint" | "audit_export" | "retention_statement" | "removal_certificate" | "signed_document";

export type VerifyResult =
  | { ok: true; kind: DocumentKind; summary: string; proves: string; doesNotProve: string; kid?: string; payload?: unknown }
  | { ok: false; kind: DocumentKind | "unknown"; problem: string; entry?: number };

const PROVES: Record<DocumentKind, [string, string]> = {
  checkpoint: [
    "We signed this org's audit log at this size and root hash, at this time. Any entry or later checkpoint can be proven against it.",
    "It does not list the entries, and it does not prove that nothing happened outside the audit log.",
  ],
  audit_export: [
    "Every entry listed was recorded in this org's audit log, in this order, unchanged, and nothing was left out up to the signed checkpoint.",
    "A log proves what was recorded, not that no copy of data exists elsewhere, and not what happened after the checkpoint.",
  ],
  retention_statement: [
    "We signed this account of the month: the retention state in effect and each change, when ZDR was honoured, the request counts with and without ZDR, the removals completed, and the audit checkpoint it derives from.",
    "The counts are what our usage metadata recorded; a statement is not an inspection of the systems that served the requests.",
  ],
  removal_certificate: [
    "We signed that this removal request was completed, with the counts removed per store at that time.",
    "It does not prove that no copy exists elsewhere (for example one your own systems kept).",
  ],
  signed_document: ["We signed this document.", "Nothing beyond its contents."],
};

const CHECKPOINT_KEYS = ["orgId", "rootHash", "timestamp", "treeSize"];

function b64urlJson(part: string): unknown {
  const s = part.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(s + "=".repeat((4 - (s.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function kindOfPayload(payload: unknown): DocumentKind {
  if (payload && typeof payload === "object") {
    const p = payload as Record<string, unknown>;
    if (p.type === "removal_certificate") return "removal_certificate";
    if (p.type === "retention_statement") return "retention_statement";
    if (CHECKPOINT_KEYS.every((k) => k in p)) return "checkpoint";
  }
  return "signed_document";
}

/** Checks a compact JWS against a JWKS; says which of truncated, unknown key or bad signature it is. */
export async function verifyJws(
  jws: string,
  keys: JSONWebKeySet | undefined,
): Promise<{ ok: true; payload: unknown; kid: string } | { ok: false; problem: string }> {
  const parts = jws.trim().split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[2]) {
    return { ok: false, problem: "The signed document is not a complete compact JWS (it may be truncated)." };
  }
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(jws.trim()).kid;
    b64urlJson(parts[1]);
  } catch {
    return { ok: false, problem: "The signed document is damaged: its header or payload is not readable JSON (it may be truncated)." };
  }
  if (!kid) return { ok: false, problem: "The signed document names no key (no kid in its header)." };
  if (!keys || !Array.isArray(keys.keys)) return { ok: false, problem: "No key set to check the signature against." };
  if (!keys.keys.some((k) => k.kid === kid)) return { ok: false, problem: `It is signed by a key the key set does not hold (kid ${kid}).` };
  try {
    const { payload } = await compactVerify(jws.trim(), createLocalJWKSet(keys), { algorithms: ["EdDSA"] });
    return { ok: true, payload: JSON.parse(new TextDecoder().decode(payload)), kid };
  } catch (err) {
    if (err instanceof joseErrors.JWSSignatureVerificationFailed)
      return { ok: false, problem: "The signature does not match: the document was changed after it was signed." };
    return { ok: false, problem: "The signature could not be checked: the document is damaged or uses an unsupported key." };
  }
}

/** The chain hash an entry carries (lib/audit/chain.ts entryHash), recomputed without node:crypto. */
export function chainHashOf(e: AuditEntryRecord): string {
  return toHex(sha256(new TextEncoder().encode(chainPreimage(e))));
}

function checkpointShape(p: unknown): p is { orgId: string; treeSize: number; rootHash: string; timestamp: string } {
  if (!p || typeof p !== "object") return false;
  const c = p as Record<string, unknown>;
  return (
    typeof c.orgId === "string" && Number.isSafeInteger(c.treeSize) && (c.treeSize as number) >= 0 && isHash(c.rootHash) && typeof c.timestamp === "string"
  );
}

async function verifyExport(doc: Record<string, unknown>, fallbackKeys?: JSONWebKeySet): Promise<VerifyResult> {
  const kind = "audit_export" as const;
  const keys = (doc.jwks as JSONWebKeySet | undefined) ?? fallbackKeys;
  if (typeof doc.orgId !== "string" || !Array.isArray(doc.entries))
    return { ok: false, kind, problem: "The export is incomplete: it has no orgId or no entries list." };
  const entries = doc.entries as Array<{ entry?: AuditEntryRecord; inclusionProof?: unknown }>;
  if (doc.checkpoint === null && entries.length === 0) {
    return { ok: true, kind, summary: "An empty audit log: no entries and no checkpoint yet.", proves: PROVES[kind][0], doesNotProve: PROVES[kind][1] };
  }
  if (typeof doc.checkpoint !== "string") return { ok: false, kind, problem: "The export carries no signed checkpoint." };
  const sig = await verifyJws(doc.checkpoint, keys);
  if (!sig.ok) return { ok: false, kind, problem: `Checkpoint: ${sig.problem}` };
  const cp = sig.payload;
  if (!checkpointShape(cp)) return { ok: false, kind, problem: "The checkpoint's payload is not a checkpoint (orgId, treeSize, rootHash, timestamp)." };
  if (cp.orgId !== doc.orgId) return { ok: false, kind, problem: "The checkpoint is for another organization than the export." };
  for (let i = 0; i < entries.length; i++) {
    const item = entries[i];
    const e = item?.entry;
    const proof = item?.inclusionProof;
    if (!e || typeof e !== "object" || !Array.isArray(proof) || !AUDIT_ENTRY_FIELDS.every((f) => f in e)) {
      return { ok: false, kind, entry: i, problem: `Entry ${i + 1} is incomplete (a field or its proof is missing).` };
    }
    if (e.orgSeq !== i)
      return {
        ok: false,
        kind,
        entry: i,
        problem: `Entry ${i + 1} is out of place: it says it is entry ${Number(e.orgSeq) + 1} (an entry was removed, inserted or moved).`,
      };
    if (e.orgId !== doc.orgId) return { ok: false, kind, entry: i, problem: `Entry ${i + 1} belongs to another organization.` };
    if (i >= cp.treeSize)
      return { ok: false, kind, entry: i, problem: `Entry ${i + 1} is beyond the signed checkpoint (${cp.treeSize} entries): it was added to the export.` };
    if (chainHashOf(e) !== e.hash)
      return { ok: false, kind, entry: i, problem: `Entry ${i + 1} (${String(e.action)}) was changed: its content does not match its hash.` };
    if (!verifyInclusion(i, cp.treeSize, leafHash(auditLeaf(e)), proof as string[], cp.rootHash)) {
      return { ok: false, kind, entry: i, problem: `Entry ${i + 1} (${String(e.action)}) is not in the signed tree: it or its proof was changed.` };
    }
  }
  if (entries.length !== cp.treeSize) {
    return {
      ok: false,
      kind,
      entry: entries.length,
      problem: `The export has ${entries.length} entries but the checkpoint signed ${cp.treeSize}: entries were left out.`,
    };
  }
  const coverage = zdrCoverage(entries.map((x) => x.entry!));
  // Exports made before coverage was added carry none; one that carries it must follow from the entries.
  if (doc.coverage !== undefined && canonicalJson(doc.coverage) !== canonicalJson(coverage)) {
    return { ok: false, kind, problem: "The ZDR coverage in the export does not follow from its entries: it was changed." };
  }
  return {
    ok: true,
    kind,
    kid: sig.kid,
    payload: cp,
    summary: `All ${entries.length} entries of organization ${cp.orgId} are in the signed log (root ${cp.rootHash.slice(0, 16)}…, ${cp.timestamp}).`,
    proves: PROVES[kind][0],
    doesNotProve: PROVES[kind][1],
  };
}

/**
 * Verifies any document we issue: the text of a file (JSON, or a bare JWS).
 * `keys` is a JWKS to use when the document embeds none (ours, fetched or read).
 */
export async function verifyDocumentText(text: string, keys?: JSONWebKeySet): Promise<VerifyResult> {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, kind: "unknown", problem: "The file is empty." };
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*$/.test(trimmed) && !trimmed.startsWith("{")) {
    return verifySigned(trimmed, keys);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    return {
      ok: false,
      kind: "unknown",
      problem:
        trimmed.startsWith("{") || trimmed.startsWith("[")
          ? "The file is not complete JSON (it may be truncated)."
          : "This is not a document we issue: neither JSON nor a signed JWS.",
    };
  }
  if (typeof doc === "string") return verifySigned(doc, keys);
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return { ok: false, kind: "unknown", problem: "This is not a document we issue." };
  const d = doc as Record<string, unknown>;
  if (d.type === "zdr_audit_export") return verifyExport(d, keys);
  const embedded = (d.jwks as JSONWebKeySet | undefined) ?? keys;
  for (const field of ["jws", "certificate", "statement", "checkpoint"]) {
    if (typeof d[field] === "string") return verifySigned(d[field] as string, embedded);
  }
  return { ok: false, kind: "unknown", problem: "This JSON is not a document we issue (no audit export, checkpoint, statement or certificate in it)." };
}

async function verifySigned(jws: string, keys?: JSONWebKeySet): Promise<VerifyResult> {
  const sig = await verifyJws(jws, keys);
  let kind: DocumentKind | "unknown" = "unknown";
  try {
    kind = kindOfPayload(b64urlJson(jws.split(".")[1] ?? ""));
  } catch {
    /* the signature check below names the damage */
  }
  if (!sig.ok) return { ok: false, kind, problem: sig.problem };
  const k = kindOfPayload(sig.payload);
  const p = sig.payload as Record<string, unknown>;
  if (k === "checkpoint" && !checkpointShape(sig.payload))
    return { ok: false, kind: k, problem: "The checkpoint's payload is malformed (rootHash must be 64 lowercase hex digits)." };
  if (k === "retention_statement") {
    const problem = await statementProblem(p, keys);
    if (problem) return { ok: false, kind: k, problem };
  }
  const summary =
    k === "checkpoint"
      ? `Checkpoint of organization ${p.orgId}: ${p.treeSize} entries, root ${String(p.rootHash).slice(0, 16)}…, signed ${p.timestamp}.`
      : k === "retention_statement"
        ? `Retention statement of ${String(p.orgName ?? p.orgId)} for ${p.month}: ${statementRequests(p)}, derived from the audit log's checkpoint of ${String((p.checkpoint as { treeSize?: number } | null)?.treeSize ?? 0)} entries.`
        : k === "removal_certificate"
          ? `Removal certificate ${String(p.id ?? p.requestId ?? "")} of organization ${String(p.orgId ?? "")}.`
          : "A document signed by us.";
  return { ok: true, kind: k, summary, kid: sig.kid, payload: sig.payload, proves: PROVES[k][0], doesNotProve: PROVES[k][1] };
}

function statementRequests(p: Record<string, unknown>): string {
  const r = p.requests as { total?: number; underZdr?: number; withoutZdr?: number } | undefined;
  return r ? `${r.total} requests, ${r.underZdr} under ZDR and ${r.withoutZdr} without` : "no request counts";
}

/** A statement's inner evidence: the checkpoint it names is signed by a key of the set, for the same org, and its figures add up. */
async function statementProblem(p: Record<string, unknown>, keys?: JSONWebKeySet): Promise<string | null> {
  const r = p.requests as { total?: unknown; underZdr?: unknown; withoutZdr?: unknown } | undefined;
  if (typeof p.orgId !== "string" || typeof p.month !== "string" || !r || !Array.isArray(p.coverage) || !p.policy)
    return "The statement is incomplete (orgId, month, policy, coverage or requests missing).";
  if (![r.total, r.underZdr, r.withoutZdr].every((n) => Number.isSafeInteger(n)) || (r.underZdr as number) + (r.withoutZdr as number) !== r.total)
    return "The statement's request counts do not add up.";
  const cp = p.checkpoint as { jws?: unknown; treeSize?: unknown; rootHash?: unknown } | null;
  if (cp === null) return null;
  if (!cp || typeof cp.jws !== "string") return "The statement's checkpoint is incomplete.";
  const inner = await verifyJws(cp.jws, keys);
  if (!inner.ok) return `The statement's checkpoint: ${inner.problem}`;
  if (!checkpointShape(inner.payload)) return "The statement's checkpoint is not a checkpoint.";
  if (inner.payload.orgId !== p.orgId) return "The statement's checkpoint is for another organization.";
  if (inner.payload.treeSize !== cp.treeSize || inner.payload.rootHash !== cp.rootHash)
    return "The statement names another tree size or root hash than its signed checkpoint.";
  return null;
}
