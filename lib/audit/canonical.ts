/**
 * Canonical JSON (sorted keys) and the Merkle leaf of an audit entry. Pure,
 * no node:crypto: the server, the CLI and the /verify page agree on one
 * leaf encoding.
 */

/** JSON with sorted keys, so jsonb's own key order cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The fields the global chain hash covers (lib/audit/chain.ts); the id and org_seq are assigned after it. */
export type ChainHashedFields = {
  orgId: string | null;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  ticketRef: string | null;
  createdAt: Date | string;
  prevHash: string;
};

/**
 * The bytes (as a string) the chain hash is SHA-256 of, defined once: the
 * server hashes it on append, the operator check and every customer's
 * verifier recompute it. Changing this changes every stored hash.
 */
export function chainPreimage(e: ChainHashedFields): string {
  return canonicalJson({
    orgId: e.orgId,
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    before: e.before ?? null,
    after: e.after ?? null,
    reason: e.reason,
    ticketRef: e.ticketRef,
    createdAt: e.createdAt,
    prevHash: e.prevHash,
  });
}

/** An audit entry as exported to its org: every stored field, the chain hashes included. */
export type AuditEntryRecord = {
  id: number;
  orgSeq: number;
  orgId: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  ticketRef: string | null;
  createdAt: string;
  prevHash: string;
  hash: string;
};

export const AUDIT_ENTRY_FIELDS = [
  "id",
  "orgSeq",
  "orgId",
  "actorType",
  "actorId",
  "actorLabel",
  "action",
  "before",
  "after",
  "reason",
  "ticketRef",
  "createdAt",
  "prevHash",
  "hash",
] as const;

/** The leaf bytes (as a string) of an entry: canonical JSON of exactly its fields. */
export function auditLeaf(e: AuditEntryRecord): string {
  const picked: Record<string, unknown> = {};
  for (const f of AUDIT_ENTRY_FIELDS) picked[f] = e[f] ?? null;
  return canonicalJson(picked);
}
