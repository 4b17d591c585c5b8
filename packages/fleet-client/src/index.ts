/**
 * The fleet's retention client: keeps a copy of the effective policy of each
 * (org, project) it is asked about and answers decide() synchronously from
 * memory with the console's own decideRetention. A copy older than
 * staleAfterMs, or none yet, answers keepContent: false, policy_unavailable.
 *
 * This version refreshes each tracked policy by polling the policy endpoint
 * with If-None-Match (a 304 is a cheap "still current"); the server-sent event
 * stream is not built yet.
 */
import { decideRetention, POLICY_UNAVAILABLE, type DecisionPolicy, type RetentionDecision } from "./decision";

export * from "./decision";

export type RetentionClientOptions = {
  baseUrl: string;
  /** A service token with scope policy:read. */
  token: string;
  /** A copy older than this fails closed. Default 5,000 ms. */
  staleAfterMs?: number;
  /** How often each tracked policy is revalidated. Default staleAfterMs / 5. */
  refreshMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
};

export type DecideInput = { orgId: string; projectId?: string | null; product: string; enableLogging?: boolean };

type Entry = { policy: DecisionPolicy | null; etag: string | null; syncedAt: number; inflight: Promise<void> | null };

export type RetentionClient = {
  /** Synchronous, from memory; asks for the policy to be synced if it is not tracked yet. */
  decide(input: DecideInput): RetentionDecision;
  /** Starts tracking and waits for the first sync (resolves even when it fails; decide then fails closed). */
  sync(orgId: string, projectId?: string | null): Promise<void>;
  close(): void;
};

export function createRetentionClient(options: RetentionClientOptions): RetentionClient {
  const staleAfterMs = options.staleAfterMs ?? 5000;
  const refreshMs = options.refreshMs ?? Math.max(100, Math.floor(staleAfterMs / 5));
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const base = options.baseUrl.replace(/\/+$/, "");
  const entries = new Map<string, Entry>();
  const keyOf = (orgId: string, projectId?: string | null) => (projectId ? `${orgId}/${projectId}` : orgId);

  async function refresh(key: string, orgId: string, projectId?: string | null): Promise<void> {
    const entry = entries.get(key)!;
    const query = projectId ? `?projectId=${encodeURIComponent(projectId)}` : "";
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
    if (entry.etag) headers["if-none-match"] = entry.etag;
    try {
      const res = await doFetch(`${base}/api/v1/orgs/${encodeURIComponent(orgId)}/retention-policy${query}`, { headers });
      if (res.status === 304) entry.syncedAt = now();
      else if (res.status === 200) {
        entry.policy = (await res.json()) as DecisionPolicy;
        entry.etag = res.headers.get("etag");
        entry.syncedAt = now();
      } else if (res.status === 404) {
        entry.policy = null; // unknown org or project: nothing to decide from, fail closed
      }
      // Any other answer (503, 429, 401) leaves the copy to age: it goes stale and fails closed.
    } catch {
      // Unreachable: the copy ages and fails closed within staleAfterMs.
    }
  }

  function track(orgId: string, projectId?: string | null): Entry {
    const key = keyOf(orgId, projectId);
    let entry = entries.get(key);
    if (!entry) {
      entry = { policy: null, etag: null, syncedAt: -Infinity, inflight: null };
      entries.set(key, entry);
      const e = entry;
      e.inflight = refresh(key, orgId, projectId).finally(() => (e.inflight = null));
    }
    return entry;
  }

  const timer = setInterval(() => {
    for (const [key, entry] of entries) {
      if (entry.inflight) continue;
      const [orgId, projectId] = key.split("/");
      entry.inflight = refresh(key, orgId, projectId).finally(() => (entry.inflight = null));
    }
  }, refreshMs);
  (timer as { unref?: () => void }).unref?.();

  return {
    decide(input) {
      const entry = track(input.orgId, input.projectId);
      if (!entry.policy || now() - entry.syncedAt > staleAfterMs) return POLICY_UNAVAILABLE;
      return decideRetention(entry.policy, input);
    },
    async sync(orgId, projectId) {
      const entry = track(orgId, projectId);
      if (entry.inflight) await entry.inflight;
    },
    close() {
      clearInterval(timer);
    },
  };
}
