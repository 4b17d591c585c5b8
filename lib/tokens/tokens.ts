/**
 * Service tokens of the machine API: created by support staff (or the
 * `token:create` command, which acts as the system), shown once, stored only
 * as a SHA-256 hash, revocable. The fleet presents them as bearer tokens.
 */
import crypto from "node:crypto";
import { desc, eq, inArray, isNull, and } from "drizzle-orm";
import { z } from "zod";
import { getDb, getDbHandle, type Tx } from "@/lib/db";
import { announceLocally } from "@/lib/db/listen";
import { serviceTokens, users } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { authorize } from "@/lib/auth/permissions";
import { SERVICE_SCOPES, type Principal, type ServiceScope } from "@/lib/auth/principal";
import { notFound, parseInput, ValidationError } from "@/lib/errors";

/** Recognisable in logs and secret scanners; the rest is 256 random bits. */
export const TOKEN_PREFIX = "zdr_st_";
const PREFIX_SHOWN = TOKEN_PREFIX.length + 6;

export const TokenInputSchema = z
  .object({
    // PostgreSQL text cannot hold NUL: refused here, it would otherwise fail the insert with a 500.
    name: z
      .string()
      .trim()
      .min(1, "Enter a name for the token")
      .max(80, "At most 80 characters")
      .regex(/^[^\u0000]*$/, "No NUL characters"),
    scopes: z
      .array(z.enum(SERVICE_SCOPES, { error: "Unknown scope" }))
      .min(1, "Choose at least one scope")
      .max(SERVICE_SCOPES.length),
  })
  .strict();
export type TokenInput = z.input<typeof TokenInputSchema>;
/** The support console's form: checkboxes send one value, several, or none. */
export const TokenForm = TokenInputSchema.extend({
  scopes: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), TokenInputSchema.shape.scopes),
});

export type ServiceTokenSummary = {
  id: string;
  name: string;
  prefix: string;
  scopes: ServiceScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdBy: string | null;
  revokedBy: string | null;
};
/** A token in the console's list: who created and who revoked it, by name (null: the command line, or a deleted account). */
export type ServiceTokenListItem = ServiceTokenSummary & { createdByName: string | null; revokedByName: string | null };

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

function generateToken(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
}

function actorOf(p: Principal & { kind: "user" | "system" }): { actorType: "support" | "system"; actorId: string | null; actorLabel: string } {
  if (p.kind === "user") return { actorType: "support", actorId: p.userId, actorLabel: p.email };
  return { actorType: "system", actorId: null, actorLabel: p.name };
}

/** Creates a token; the returned `token` is the only time the secret exists outside the caller. */
export async function createServiceToken(
  actor: Principal | null,
  input: TokenInput,
  db: Tx = getDb(),
): Promise<{ token: string; summary: ServiceTokenSummary }> {
  authorize(actor, "tokens.manage");
  const parsed = { data: parseInput(TokenInputSchema, input) };
  const scopes = [...new Set(parsed.data.scopes)];
  const token = generateToken();
  const who = actorOf(actor);
  const run = async (tx: Tx) => {
    const [row] = await tx
      .insert(serviceTokens)
      .values({
        name: parsed.data.name,
        tokenHash: hashToken(token),
        prefix: token.slice(0, PREFIX_SHOWN),
        scopes,
        createdBy: actor.kind === "user" ? actor.userId : null,
      })
      .returning();
    await appendAudit(tx, {
      orgId: null,
      ...who,
      action: "service_token.created",
      before: null,
      after: { tokenId: row.id, name: row.name, scopes },
      reason: null,
      ticketRef: null,
    });
    return row;
  };
  const row = await db.transaction(run);
  return { token, summary: summarize(row) };
}

function summarize(row: typeof serviceTokens.$inferSelect): ServiceTokenSummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as ServiceScope[],
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    createdBy: row.createdBy,
    revokedBy: row.revokedBy,
  };
}

export async function listServiceTokens(actor: Principal | null, db: Tx = getDb()): Promise<ServiceTokenListItem[]> {
  authorize(actor, "tokens.manage");
  const rows = (await db.select().from(serviceTokens).orderBy(desc(serviceTokens.createdAt))).map(summarize);
  const ids = [...new Set(rows.flatMap((r) => [r.createdBy, r.revokedBy]).filter((x): x is string => x !== null))];
  const names = new Map(
    ids.length ? (await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids))).map((u) => [u.id, u.name]) : [],
  );
  return rows.map((r) => ({
    ...r,
    createdByName: r.createdBy ? (names.get(r.createdBy) ?? null) : null,
    revokedByName: r.revokedBy ? (names.get(r.revokedBy) ?? null) : null,
  }));
}

/** Revokes a token; its next request is refused (caches hear of it through the change notification). */
export const RevokeTokenInput = z.object({ tokenId: z.uuid({ error: "Unknown token" }) });
/** The console's form: the token's name typed again, so a revocation is never one slip of the mouse. */
export const RevokeTokenForm = RevokeTokenInput.extend({
  confirmName: z.string().trim().min(1, "Type the token's name to confirm").max(80, "At most 80 characters"),
});

export async function revokeServiceToken(
  actor: Principal | null,
  input: { tokenId: string; confirmName?: string },
  db: Tx = getDb(),
): Promise<ServiceTokenSummary> {
  authorize(actor, "tokens.manage");
  parseInput(RevokeTokenInput, { tokenId: input.tokenId });
  const who = actorOf(actor);
  const run = async (tx: Tx) => {
    if (input.confirmName !== undefined) {
      const [t] = await tx.select({ name: serviceTokens.name }).from(serviceTokens).where(eq(serviceTokens.id, input.tokenId));
      if (!t) throw notFound("Service token not found");
      if (t.name !== input.confirmName.trim())
        throw new ValidationError("The name typed is not this token's name; nothing was revoked.", [
          { path: "confirmName", problem: "Type the token's name exactly" },
        ]);
    }
    const [row] = await tx
      .update(serviceTokens)
      .set({ revokedAt: new Date(), revokedBy: actor.kind === "user" ? actor.userId : null })
      .where(and(eq(serviceTokens.id, input.tokenId), isNull(serviceTokens.revokedAt)))
      .returning();
    if (!row) {
      const [existing] = await tx.select().from(serviceTokens).where(eq(serviceTokens.id, input.tokenId));
      if (!existing) throw notFound("Service token not found");
      return existing; // already revoked: revoking again changes nothing
    }
    await appendAudit(tx, {
      orgId: null,
      ...who,
      action: "service_token.revoked",
      before: { tokenId: row.id, name: row.name, revoked: false },
      after: { tokenId: row.id, name: row.name, revoked: true },
      reason: null,
      ticketRef: null,
    });
    return row;
  };
  const row = await db.transaction(run);
  // This instance's cache forgets the token now; the others hear the trigger's NOTIFY.
  announceLocally(getDbHandle(), `token:${row.id}`);
  return summarize(row);
}
