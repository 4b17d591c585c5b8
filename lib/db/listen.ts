/**
 * Cache invalidation across app instances: a trigger (drizzle/0002) announces
 * every change of a retention state, an organization or a service token on
 * the `zdr_cache` channel at commit; each process LISTENs on one dedicated
 * connection and tells its in-memory caches which key changed.
 *
 * A cache may only trust itself while this listener is connected: a change
 * committed while it was down would never be announced. `connected()` says so,
 * and every (re)connect announces "*" so caches start empty.
 */
import pg from "pg";
import { env } from "@/lib/env";
import { pgConnection, type DbHandle } from "./index";
import { processState } from "@/lib/process-state";

export const CACHE_CHANNEL = "zdr_cache";
/** Sent to subscribers when they must forget everything (listener (re)connected). */
export const ALL_KEYS = "*";

type Subscriber = (key: string) => void;

export type CacheListener = {
  connected(): boolean;
  subscribe(fn: Subscriber): () => void;
  /** Delivers `key` to this process's subscribers. */
  announce(key: string): void;
  /** Resolves once the first LISTEN is in place (or failed). */
  ready: Promise<void>;
  close(): Promise<void>;
};

function fanOut(subs: Set<Subscriber>, key: string) {
  for (const fn of subs) fn(key);
}

function pgliteListener(handle: DbHandle): CacheListener {
  const subs = new Set<Subscriber>();
  let up = false;
  let unlisten: (() => Promise<void>) | undefined;
  const ready = handle
    .pglite!.listen(CACHE_CHANNEL, (payload) => fanOut(subs, payload))
    .then((u) => {
      unlisten = u;
      up = true;
      fanOut(subs, ALL_KEYS);
    })
    .catch(() => {
      up = false;
    });
  return {
    connected: () => up,
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    announce: (key) => fanOut(subs, key),
    ready,
    async close() {
      up = false;
      await unlisten?.().catch(() => {});
    },
  };
}

function postgresListener(url: string): CacheListener {
  const subs = new Set<Subscriber>();
  let up = false;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;

  // The connection is lost (backend died, network, server restart): caches stop trusting themselves at once.
  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = undefined;
    void c.end().catch(() => {});
    if (up) {
      up = false;
      fanOut(subs, ALL_KEYS);
    }
    schedule();
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    // One dedicated client, not a pool's: LISTEN belongs to its session, and a pool would recycle it.
    const c = new pg.Client({ ...pgConnection(url), connectionTimeoutMillis: 5_000, keepAlive: true });
    client = c;
    c.on("notification", (msg) => {
      if (msg.channel === CACHE_CHANNEL) fanOut(subs, msg.payload ?? ALL_KEYS);
    });
    c.on("error", () => lost(c));
    c.on("end", () => lost(c));
    try {
      await c.connect();
      await c.query(`listen ${CACHE_CHANNEL}`);
      if (closed) return void (await c.end().catch(() => {}));
      if (client !== c) return;
      attempt = 0;
      up = true;
      fanOut(subs, ALL_KEYS);
    } catch {
      lost(c);
    }
  };
  const schedule = () => {
    if (closed || retry) return;
    const delay = Math.min(2000, 100 * 2 ** attempt++);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    retry.unref();
  };

  const ready = connect();
  return {
    connected: () => up,
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    announce: (key) => fanOut(subs, key),
    ready,
    async close() {
      closed = true;
      up = false;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}

const g = processState("cacheListener", (): { value?: { handle: DbHandle; listener: CacheListener } } => ({}));

/** The process's listener for the database `handle`; a new handle (tests) gets a new listener. */
export function cacheListener(handle: DbHandle): CacheListener {
  const current = g.value;
  if (current && current.handle === handle) return current.listener;
  if (current) void current.listener.close();
  let listener: CacheListener;
  if (handle.kind === "pglite") {
    listener = pgliteListener(handle);
  } else {
    const url = handle.url ?? env().DATABASE_URL;
    listener = url
      ? postgresListener(url)
      : { connected: () => false, subscribe: () => () => {}, announce: () => {}, ready: Promise.resolve(), close: async () => {} };
  }
  g.value = { handle, listener };
  return listener;
}

/**
 * Tells this process's caches at once that `key` changed, after a commit made
 * here; other processes hear the same change through the trigger's NOTIFY.
 */
export function announceLocally(handle: DbHandle, key: string): void {
  const current = g.value;
  if (current && current.handle === handle) current.listener.announce(key);
}

export async function closeCacheListener(): Promise<void> {
  const current = g.value;
  g.value = undefined;
  await current?.listener.close();
}
