/**
 * Bearer authentication of service tokens. The lookup by hash is cached in
 * memory because every policy request of the fleet needs it; a revocation
 * reaches the cache through the change notification (lib/db/listen.ts), and
 * while the listener is down nothing is cached, so a revoked token is refused
 * on its next request either way.
 */
import { eq, sql } from "drizzle-orm";
import { getDbHandle, type DbHandle } from "@/lib/db";
import { serviceTokens } from "@/lib/db/schema";
import { ALL_KEYS, cacheListener, type CacheListener } from "@/lib/db/listen";
import type { ServicePrincipal, ServiceScope } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { hashToken, TOKEN_PREFIX } from "@/lib/tokens/tokens";
import { processState } from "@/lib/process-state";

// last_used_at is written at most this often per token: a write per request would cost more than the request.
const LAST_USED_EVERY_MS = 60_000;
const TOKEN_SHAPE = new RegExp(`^${TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

type Cached = { principal: ServicePrincipal | null };

type TokenCache = {
  listener: CacheListener;
  entries: Map<string, Cached>;
  lastUsedWritten: Map<string, number>;
  /** Bumped by every announcement: a read that started before one (say, a revocation) must not be kept. */
  generation: number;
};
const g = processState("tokenCache", (): { value?: TokenCache } => ({}));

function tokenCache(handle: DbHandle): TokenCache {
  const listener = cacheListener(handle);
  if (g.value?.listener === listener) return g.value;
  const cache: TokenCache = { listener, entries: new Map(), lastUsedWritten: new Map(), generation: 0 };
  listener.subscribe((key) => {
    cache.generation++;
    if (key === ALL_KEYS) return cache.entries.clear();
    if (!key.startsWith("token:")) return;
    const id = key.slice("token:".length);
    for (const [hash, entry] of cache.entries) if (entry.principal?.tokenId === id || entry.principal === null) cache.entries.delete(hash);
  });
  g.value = cache;
  return cache;
}

const unauthorized = () => new AppError("unauthorized", "A valid service token is required (Authorization: Bearer <token>)");

function tokenHashOf(authorization: string | null): string {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? "");
  if (!match || !TOKEN_SHAPE.test(match[1])) throw unauthorized();
  return hashToken(match[1]);
}

/**
 * The principal of a token already in the cache, without waiting for
 * anything (the policy lookup's hot path); undefined when it must be read.
 */
export function cachedServicePrincipal(authorization: string | null): ServicePrincipal | undefined {
  const handle = getDbHandle();
  const cache = tokenCache(handle);
  if (!cache.listener.connected()) return undefined;
  const principal = cache.entries.get(tokenHashOf(authorization))?.principal;
  if (principal) noteLastUsed(handle, cache, principal.tokenId);
  return principal ?? undefined;
}

/** The service principal of an `Authorization` header; 401 for a missing, malformed, unknown or revoked token. */
export async function authenticateServiceToken(authorization: string | null): Promise<ServicePrincipal> {
  const hash = tokenHashOf(authorization);
  const handle = getDbHandle();
  const cache = tokenCache(handle);
  const listening = cache.listener.connected();
  let entry = listening ? cache.entries.get(hash) : undefined;
  if (!entry) {
    const generation = cache.generation;
    let row;
    try {
      [row] = await handle.db
        .select({ id: serviceTokens.id, name: serviceTokens.name, scopes: serviceTokens.scopes, revokedAt: serviceTokens.revokedAt })
        .from(serviceTokens)
        .where(eq(serviceTokens.tokenHash, hash));
    } catch {
      // Not a 401: the token may be fine, and the fleet must treat this as "keep nothing", not "re-authenticate".
      throw new AppError("unavailable", "Service tokens cannot be checked right now; keep no content until they can", { retryAfterSeconds: 1 });
    }
    entry = {
      principal: row && !row.revokedAt ? { kind: "service", tokenId: row.id, name: row.name, scopes: row.scopes as ServiceScope[] } : null,
    };
    // Unknown tokens are not cached: guessing must not fill memory.
    if (listening && entry.principal && cache.generation === generation && cache.listener.connected()) cache.entries.set(hash, entry);
  }
  if (!entry.principal) throw unauthorized();
  noteLastUsed(handle, cache, entry.principal.tokenId);
  return entry.principal;
}

function noteLastUsed(handle: DbHandle, cache: TokenCache, tokenId: string): void {
  const now = Date.now();
  if (now - (cache.lastUsedWritten.get(tokenId) ?? 0) < LAST_USED_EVERY_MS) return;
  cache.lastUsedWritten.set(tokenId, now);
  // Off the request's path; a lost write only makes "last used" a minute older.
  void handle.db.execute(sql`update ${serviceTokens} set last_used_at = now() where id = ${tokenId}`).catch(() => cache.lastUsedWritten.delete(tokenId));
}
