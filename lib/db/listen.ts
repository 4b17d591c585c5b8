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
import postgres from "postgres";
import { env } from "@/lib/env";
import type { DbHandle } from "./index";

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
  let client: postgres.Sql | undefined;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;

  const connect = async (): Promise<void> => {
    if (closed) return;
    const options = {
      max: 1,
      idle_timeout: 0,
      // The default recycles connections after 30-60 minutes, which would drop the LISTEN.
      max_lifetime: null,
      connect_timeout: 5,
      fetch_types: false,
      onnotice: () => {},
      onnotify: (_channel: string, payload: string) => fanOut(subs, payload),
      onclose: () => {
        if (!up) return;
        up = false;
        fanOut(subs, ALL_KEYS);
        schedule();
      },
    };
    const c = postgres(url, options as unknown as postgres.Options<Record<string, never>>);
    client = c;
    try {
      await c.unsafe(`listen ${CACHE_CHANNEL}`);
      if (closed) return void (await c.end({ timeout: 1 }).catch(() => {}));
      attempt = 0;
      up = true;
      fanOut(subs, ALL_KEYS);
    } catch {
      up = false;
      await c.end({ timeout: 1 }).catch(() => {});
      schedule();
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
      await client?.end({ timeout: 1 }).catch(() => {});
    },
  };
}

const g = globalThis as unknown as { __zdrCacheListener?: { handle: DbHandle; listener: CacheListener } };

/** The process's listener for the database `handle`; a new handle (tests) gets a new listener. */
export function cacheListener(handle: DbHandle): CacheListener {
  const current = g.__zdrCacheListener;
  if (current && current.handle === handle) return current.listener;
  if (current) void current.listener.close();
  let listener: CacheListener;
  if (handle.kind === "pglite") {
    listener = pgliteListener(handle);
  } else {
    const url = (handle as DbHandle & { url?: string }).url ?? env().DATABASE_URL;
    listener = url
      ? postgresListener(url)
      : { connected: () => false, subscribe: () => () => {}, announce: () => {}, ready: Promise.resolve(), close: async () => {} };
  }
  g.__zdrCacheListener = { handle, listener };
  return listener;
}

/**
 * Tells this process's caches at once that `key` changed, after a commit made
 * here; other processes hear the same change through the trigger's NOTIFY.
 */
export function announceLocally(handle: DbHandle, key: string): void {
  const current = g.__zdrCacheListener;
  if (current && current.handle === handle) current.listener.announce(key);
}

export async function closeCacheListener(): Promise<void> {
  const current = g.__zdrCacheListener;
  g.__zdrCacheListener = undefined;
  await current?.listener.close();
}
