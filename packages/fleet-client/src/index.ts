/**
 * The fleet's retention client: keeps a copy of the effective policy of each
 * (org, project) it is asked about and answers decide() synchronously from
 * memory with the console's own decideRetention. A copy older than
 * staleAfterMs, or none yet, answers keepContent: false, policy_unavailable.
 *
 * Changes arrive over GET /api/v1/retention-policy/stream (server-sent
 * events, resumed with Last-Event-ID after a cut): a `change` for an org marks
 * its copies dirty (they fail closed until refetched, a few milliseconds) and
 * refetches them; `reset` refetches everything. While the stream's heartbeats
 * arrive, a copy fetched during the stream's coverage stays valid; when they
 * stop, copies age out and fail closed within staleAfterMs. Without the
 * stream (stream: false, or while it is down) each tracked policy is
 * revalidated every refreshMs with If-None-Match (a 304 is "still current").
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
  /** Listen to the policy stream (default true); false: poll only. */
  stream?: boolean;
};

export type DecideInput = { orgId: string; projectId?: string | null; product: string; enableLogging?: boolean };

type Entry = {
  orgId: string;
  projectId: string | null;
  policy: DecisionPolicy | null;
  etag: string | null;
  syncedAt: number;
  inflight: Promise<void> | null;
  /** Bumped by every change event; a fetch that began before it cannot clear `dirty`. */
  generation: number;
  dirty: boolean;
};

export type RetentionClient = {
  /** Synchronous, from memory; asks for the policy to be synced if it is not tracked yet. */
  decide(input: DecideInput): RetentionDecision;
  /** Starts tracking and waits for the first sync (resolves even when it fails; decide then fails closed). */
  sync(orgId: string, projectId?: string | null): Promise<void>;
  /** Whether the stream is connected and its last heartbeat is within the staleness bound. */
  streaming(): boolean;
  /** The id of the last stream event received (what a reconnect sends as Last-Event-ID). */
  lastEventId(): string | null;
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

  async function refresh(entry: Entry): Promise<void> {
    const { orgId, projectId } = entry;
    const generation = entry.generation;
    const startedAt = now();
    const query = projectId ? `?projectId=${encodeURIComponent(projectId)}` : "";
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
    if (entry.etag) headers["if-none-match"] = entry.etag;
    try {
      const res = await doFetch(`${base}/api/v1/orgs/${encodeURIComponent(orgId)}/retention-policy${query}`, { headers });
      if (res.status === 304) entry.syncedAt = startedAt;
      else if (res.status === 200) {
        entry.policy = (await res.json()) as DecisionPolicy;
        entry.etag = res.headers.get("etag");
        entry.syncedAt = startedAt;
      } else if (res.status === 404) {
        entry.policy = null; // unknown org or project: nothing to decide from, fail closed
      }
      if ((res.status === 200 || res.status === 304) && entry.generation === generation) entry.dirty = false;
      // Any other answer (503, 429, 401) leaves the copy to age: it goes stale and fails closed.
    } catch {
      // Unreachable: the copy ages and fails closed within staleAfterMs.
    }
  }

  /** Fetches now; if a fetch is under way, one more follows it (its answer may predate the change). */
  function start(entry: Entry): Promise<void> {
    if (entry.inflight) {
      const again = entry.inflight.then(() => start(entry));
      return again;
    }
    const p = refresh(entry).finally(() => {
      if (entry.inflight === p) entry.inflight = null;
    });
    entry.inflight = p;
    return p;
  }

  function track(orgId: string, projectId?: string | null): Entry {
    const key = keyOf(orgId, projectId);
    let entry = entries.get(key);
    if (!entry) {
      entry = { orgId, projectId: projectId ?? null, policy: null, etag: null, syncedAt: -Infinity, inflight: null, generation: 0, dirty: false };
      entries.set(key, entry);
      void start(entry);
    }
    return entry;
  }

  // --- the stream -----------------------------------------------------------
  const useStream = options.stream !== false;
  let closed = false;
  let lastEventId: string | null = null;
  /** Since when the stream has announced every change (copies fetched after this are vouched for by its heartbeats). */
  let coveredSince = Infinity;
  let aliveAt = -Infinity;
  let abort: AbortController | null = null;
  let backoff = 250;

  function changed(orgId: string | null): void {
    for (const entry of entries.values()) {
      if (orgId !== null && entry.orgId !== orgId.toLowerCase() && entry.orgId !== orgId) continue;
      entry.generation++;
      entry.dirty = true;
      void start(entry);
    }
  }

  function onEvent(event: string, data: string, id: string | null): void {
    if (id !== null) lastEventId = id;
    aliveAt = now();
    if (event === "change") {
      let orgId: string | null = null;
      try {
        orgId = (JSON.parse(data) as { orgId?: string }).orgId ?? null;
      } catch {
        orgId = null; // unreadable: treat as "everything may have changed"
      }
      changed(orgId);
    } else if (event === "reset") {
      coveredSince = now();
      changed(null);
    }
  }

  async function connect(): Promise<void> {
    while (!closed) {
      abort = new AbortController();
      const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: "text/event-stream" };
      if (lastEventId) headers["last-event-id"] = lastEventId;
      const resumed = lastEventId !== null;
      try {
        const res = await doFetch(`${base}/api/v1/retention-policy/stream`, { headers, signal: abort.signal });
        if (res.status === 200 && (res.headers.get("content-type") ?? "").startsWith("text/event-stream") && res.body) {
          backoff = 250;
          // Fresh start (no cursor): what was fetched before now is not vouched for; refetch it all.
          if (!resumed) {
            coveredSince = now();
            changed(null);
          }
          await readEvents(res.body, onEvent);
        } else {
          await res.body?.cancel().catch(() => {});
        }
      } catch {
        // cut off: reconnect below
      }
      aliveAt = -Infinity;
      if (closed) return;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 5000);
    }
  }
  if (useStream) void connect();

  const streaming = () => useStream && now() - aliveAt <= staleAfterMs;

  const timer = setInterval(() => {
    // While the stream vouches for the copies, polling is not needed.
    const live = streaming();
    for (const entry of entries.values()) {
      if (entry.inflight) continue;
      if (live && entry.syncedAt >= coveredSince) continue;
      void start(entry);
    }
  }, refreshMs);
  (timer as { unref?: () => void }).unref?.();

  return {
    decide(input) {
      const entry = track(input.orgId, input.projectId);
      if (!entry.policy || entry.dirty) return POLICY_UNAVAILABLE;
      const t = now();
      const vouched = entry.syncedAt >= coveredSince && t - aliveAt <= staleAfterMs;
      if (!vouched && t - entry.syncedAt > staleAfterMs) return POLICY_UNAVAILABLE;
      return decideRetention(entry.policy, input);
    },
    async sync(orgId, projectId) {
      const entry = track(orgId, projectId);
      while (entry.inflight) await entry.inflight;
    },
    streaming,
    lastEventId: () => lastEventId,
    close() {
      closed = true;
      clearInterval(timer);
      abort?.abort();
    },
  };
}

/** Parses a server-sent event stream (the WHATWG format: fields, blank-line terminated events, comments). */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string, id: string | null) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  let id: string | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer[nl] === "\r" && buffer[nl + 1] === "\n" ? 2 : 1));
      if (line === "") {
        if (data.length || event !== "message") onEvent(event, data.join("\n"), id);
        event = "message";
        data = [];
        id = null;
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = val;
      else if (field === "data") data.push(val);
      else if (field === "id") id = val;
    }
  }
}
