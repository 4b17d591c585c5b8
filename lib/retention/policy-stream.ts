/**
 * The retention-policy stream (GET /api/v1/retention-policy/stream): the
 * fleet learns of every policy change within moments instead of polling.
 *
 * Each committed change of a retention state, a project or an org's plan has
 * a numbered row in policy_changes (triggers, drizzle/0081), written in the
 * change's own transaction; the NOTIFY of drizzle/0002 wakes this instance,
 * which reads the new rows ONCE and fans them out to every connected stream
 * (a hub per process, so 1,000 clients cost one query per change, not 1,000).
 * Every app instance does the same, so a client connected to any of them
 * hears every change, whichever instance committed it.
 *
 * Events: `change` (id = the row's number, data = {orgId}); `reset` when a
 * Last-Event-ID is older than what is kept (resync everything); a `heartbeat`
 * every HEARTBEAT_MS, sent only while the change listener is connected: a
 * stream that cannot vouch for its completeness goes quiet, and its clients
 * fail closed when their staleness bound passes.
 */
import { and, asc, gt, lt, sql } from "drizzle-orm";
import { getDbHandle, type DbHandle } from "@/lib/db";
import { policyChanges } from "@/lib/db/schema";
import { ALL_KEYS, cacheListener, type CacheListener } from "@/lib/db/listen";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { processState } from "@/lib/process-state";

export const HEARTBEAT_MS = 2000;
/** Changes are kept this long for resuming clients; an older Last-Event-ID gets `reset`. */
export const KEEP_CHANGES_MS = 24 * 3600_000;
/**
 * Row numbers are drawn when a change is written, not when it commits: a
 * change numbered n can commit after n+1 was sent. Each read therefore also
 * looks this far back and skips what it already sent.
 */
const LATE_COMMIT_MS = 30_000;
const REPLAY_LIMIT = 10_000;

export type PolicyChange = { id: number; orgId: string };
type Listener = { change(c: PolicyChange): void; heartbeat(): void };

type Hub = {
  handle: DbHandle;
  listener: CacheListener;
  clients: Set<Listener>;
  cursor: number;
  /** Ids sent in the last LATE_COMMIT_MS (with when), so a late commit is sent once. */
  sent: Map<number, number>;
  reading: Promise<void> | null;
  again: boolean;
  timer: NodeJS.Timeout | null;
  ready: Promise<void>;
};

const g = processState("policyHub", (): { value?: Hub } => ({}));

async function readNew(hub: Hub): Promise<void> {
  const rows = await hub.handle.db
    .select({ id: policyChanges.id, orgId: policyChanges.orgId })
    .from(policyChanges)
    .where(sql`${policyChanges.id} > ${hub.cursor} or ${policyChanges.changedAt} > now() - make_interval(secs => ${LATE_COMMIT_MS / 1000})`)
    .orderBy(asc(policyChanges.id))
    .limit(REPLAY_LIMIT);
  const now = Date.now();
  for (const [id, at] of hub.sent) if (now - at > LATE_COMMIT_MS * 2) hub.sent.delete(id);
  for (const r of rows) {
    if (hub.sent.has(r.id) || r.id <= hub.cursor - REPLAY_LIMIT) continue;
    hub.sent.set(r.id, now);
    if (r.id > hub.cursor) hub.cursor = r.id;
    for (const c of hub.clients) c.change(r);
  }
}

/** One read at a time; a wake-up during a read asks for one more. */
function wake(hub: Hub): void {
  if (hub.reading) {
    hub.again = true;
    return;
  }
  hub.reading = readNew(hub)
    .catch(() => {
      // The database is unreachable: heartbeats stop below (the listener is down too, or will be); clients fail closed.
    })
    .finally(() => {
      hub.reading = null;
      if (hub.again) {
        hub.again = false;
        wake(hub);
      }
    });
}

function policyHub(): Hub {
  const handle = getDbHandle();
  if (g.value?.handle === handle) return g.value;
  const listener = cacheListener(handle);
  const hub: Hub = { handle, listener, clients: new Set(), cursor: 0, sent: new Map(), reading: null, again: false, timer: null, ready: Promise.resolve() };
  hub.ready = handle.db
    .select({ max: sql<string | null>`max(${policyChanges.id})` })
    .from(policyChanges)
    .then(([r]) => {
      hub.cursor = Math.max(hub.cursor, Number(r?.max ?? 0));
    })
    .catch(() => {});
  listener.subscribe((key) => {
    // "*": the listener (re)connected; what was committed while it was down is in the table.
    if (key === ALL_KEYS || key.startsWith("org:")) wake(hub);
  });
  g.value = hub;
  void prunePolicyChanges(handle).catch(() => {});
  return hub;
}

function startHeartbeat(hub: Hub): void {
  if (hub.timer) return;
  hub.timer = setInterval(() => {
    if (!hub.listener.connected()) return;
    for (const c of hub.clients) c.heartbeat();
  }, HEARTBEAT_MS);
  hub.timer.unref?.();
}

function stopHeartbeatIfIdle(hub: Hub): void {
  if (hub.clients.size === 0 && hub.timer) {
    clearInterval(hub.timer);
    hub.timer = null;
  }
}

const frame = (event: string, data: unknown, id?: number) => `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** The Last-Event-ID of a resuming client: digits only, else a 400 naming the header. */
export function parseLastEventId(value: string | null): number | null {
  if (value === null || value === "") return null;
  if (!/^\d{1,15}$/.test(value)) throw new AppError("invalid", "Last-Event-ID: must be the id of an event this stream sent", { fields: ["Last-Event-ID"] });
  return Number(value);
}

/**
 * Opens a stream for a service token with policy:read: the replay after
 * `lastEventId` (or a `ready` event carrying the current position), then live
 * changes and heartbeats until `signal` aborts.
 */
export async function openPolicyStream(
  actor: Principal | null,
  input: { lastEventId: string | null; signal: AbortSignal },
): Promise<ReadableStream<Uint8Array>> {
  authorize(actor, "policy.read");
  const after = parseLastEventId(input.lastEventId);
  const hub = policyHub();
  await hub.ready;
  const encoder = new TextEncoder();
  let client: Listener | null = null;
  const close = () => {
    if (client) hub.clients.delete(client);
    client = null;
    stopHeartbeatIfIdle(hub);
  };

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      // Live changes first, then the replay: a change in between is sent twice (clients are idempotent), never lost.
      const replayed = new Set<number>();
      client = {
        change: (c) => {
          if (!replayed.has(c.id)) send(frame("change", { orgId: c.orgId }, c.id));
        },
        heartbeat: () => send(frame("heartbeat", { at: new Date().toISOString() })),
      };
      hub.clients.add(client);
      startHeartbeat(hub);
      input.signal.addEventListener("abort", () => {
        close();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
      // Tell the client how often to expect a heartbeat, and to reconnect quickly.
      send(`retry: 500\n\n`);
      try {
        if (after === null) {
          send(frame("ready", { heartbeatMs: HEARTBEAT_MS }, hub.cursor));
        } else {
          const [oldest] = await hub.handle.db.select({ min: sql<string | null>`min(${policyChanges.id})` }).from(policyChanges);
          const min = oldest?.min == null ? null : Number(oldest.min);
          if (after > hub.cursor + REPLAY_LIMIT || (min !== null && after < min - 1)) {
            // Older than what is kept (or not ours): the client must resync everything.
            send(frame("reset", { heartbeatMs: HEARTBEAT_MS }, hub.cursor));
          } else {
            const rows = await hub.handle.db
              .select({ id: policyChanges.id, orgId: policyChanges.orgId })
              .from(policyChanges)
              .where(sql`${policyChanges.id} > ${after} or ${policyChanges.changedAt} > now() - make_interval(secs => ${LATE_COMMIT_MS / 1000})`)
              .orderBy(asc(policyChanges.id))
              .limit(REPLAY_LIMIT);
            for (const r of rows) {
              replayed.add(r.id);
              send(frame("change", { orgId: r.orgId }, r.id));
            }
            send(frame("ready", { heartbeatMs: HEARTBEAT_MS }, Math.max(after, hub.cursor)));
          }
        }
        if (hub.listener.connected()) send(frame("heartbeat", { at: new Date().toISOString() }));
      } catch {
        // The changes cannot be read: end the stream; the client reconnects and, meanwhile, fails closed.
        close();
        controller.close();
      }
    },
    cancel() {
      close();
    },
  });
}

/** Drops changes older than KEEP_CHANGES_MS (called now and then; bounded work). */
export async function prunePolicyChanges(handle: DbHandle = getDbHandle()): Promise<void> {
  await handle.db.delete(policyChanges).where(and(lt(policyChanges.changedAt, new Date(Date.now() - KEEP_CHANGES_MS)), gt(policyChanges.id, 0)));
}
