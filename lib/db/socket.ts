/**
 * The running app's embedded database, served to the command-line tools of
 * the same machine: PGlite has one owner (./lock.ts), so `npm run
 * token:create`, `audit:verify`, `db:migrate` and `seed:demo` talk to the
 * owner over a Unix socket (@electric-sql/pglite-socket) with the ordinary
 * pg driver instead of opening the directory a second time. The socket lives
 * in DATA_DIR/run (mode 0700: only the app's user can connect; PGlite has no
 * passwords), its address in DATA_DIR/db.socket beside the lock.
 *
 * One client at a time. PGlite has one session, shared by the app and the
 * socket: a tool's transaction is kept whole against the app's own queries
 * by `exclusiveTransactions` below (the socket holds PGlite's query lock from
 * its BEGIN to its COMMIT, and never starts while an app transaction is
 * open), so neither side's statements ever run inside the other's
 * transaction. While a tool's transaction is open the app's queries wait:
 * the tools' transactions are short (a token, a migration, a seed run).
 */
import fs from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { lockPath } from "./lock";

type SocketRecord = { pid: number; host: string };

function recordFile(dbDir: string): string {
  return path.join(path.dirname(dbDir), "db.socket");
}

export async function serveEmbeddedSocket(pglite: PGlite, dbDir: string): Promise<{ socketDir: string; stop: () => Promise<void> }> {
  const socketDir = path.join(path.dirname(dbDir), "run");
  fs.mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(socketDir, 0o700);
  const socketPath = path.join(socketDir, ".s.PGSQL.5432");
  // A socket file left by a process that was killed: we hold the lock, so it is not anyone's.
  fs.rmSync(socketPath, { force: true });
  const server = new PGLiteSocketServer({ db: exclusiveTransactions(pglite), path: socketPath, maxConnections: 1 });
  await server.start();
  const record: SocketRecord = { pid: process.pid, host: path.resolve(socketDir) };
  fs.writeFileSync(recordFile(dbDir), JSON.stringify(record), { mode: 0o600 });
  return {
    socketDir,
    async stop() {
      await server.stop().catch(() => {});
      fs.rmSync(recordFile(dbDir), { force: true });
      fs.rmSync(socketPath, { force: true });
    },
  };
}

/** The URL of the running owner's socket, when the process holding the lock serves one. */
export function embeddedSocketUrl(dbDir: string): string | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(recordFile(dbDir), "utf8")) as SocketRecord;
    const owner = Number.parseInt(fs.readFileSync(lockPath(dbDir), "utf8").trim(), 10);
    if (record.pid !== owner || !fs.existsSync(path.join(record.host, ".s.PGSQL.5432"))) return undefined;
    return `postgres://postgres@localhost/postgres?host=${encodeURIComponent(record.host)}`;
  } catch {
    return undefined;
  }
}

const WAIT = Symbol("app transaction open");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A simple-query message (PostgreSQL protocol 'Q'), for the rollback of a client that left mid-transaction. */
function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, "utf8");
  const msg = Buffer.alloc(5 + body.length);
  msg.write("Q", 0, "latin1");
  msg.writeInt32BE(4 + body.length, 1);
  body.copy(msg, 5);
  return msg;
}

/**
 * The PGlite the socket server is given: its `runExclusive` (one protocol
 * message of the tool's) waits until no app transaction is open, and when the
 * message leaves a transaction open it keeps PGlite's query lock until the
 * transaction ends, running the tool's next messages under that same hold.
 * pglite-socket's own queue already sends only that client's messages while
 * its transaction is open, asking `isInTransaction`, answered here for the
 * socket's transaction alone. A tool that disconnects mid-transaction is
 * rolled back (pglite-socket calls `exec("ROLLBACK")`, answered here under
 * the hold, since PGlite's own exec would wait for the lock we hold).
 */
export function exclusiveTransactions(pglite: PGlite): PGlite {
  let release: (() => void) | null = null;
  const endHold = () => {
    const r = release;
    release = null;
    r?.();
  };
  async function runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (release) {
      try {
        return await fn();
      } finally {
        if (!pglite.isInTransaction()) endHold();
      }
    }
    for (;;) {
      const outcome = await new Promise<{ value: T } | typeof WAIT>((resolve, reject) => {
        void pglite.runExclusive(async () => {
          // An app transaction between two of its statements: let it finish first (it needs this lock to go on).
          if (pglite.isInTransaction()) return resolve(WAIT);
          let value: T;
          try {
            value = await fn();
          } catch (err) {
            reject(err);
            return;
          }
          resolve({ value });
          // The message left the tool's transaction open: keep the lock until a later message (or the rollback) ends it.
          if (pglite.isInTransaction()) await new Promise<void>((r) => (release = r));
        });
      });
      if (outcome !== WAIT) return outcome.value;
      await sleep(2);
    }
  }
  async function exec(query: string, options?: unknown) {
    if (!release) return pglite.exec(query, options as never);
    try {
      await pglite.execProtocolRawStream(simpleQuery(query), { onRawData: () => {} });
      return [];
    } finally {
      if (!pglite.isInTransaction()) endHold();
    }
  }
  return new Proxy(pglite, {
    get(target, prop) {
      if (prop === "runExclusive") return runExclusive;
      if (prop === "exec") return exec;
      // pglite-socket asks this to keep a client's transaction whole and to roll back a client that left mid-transaction:
      // the answer must be about the socket's own transaction, never the app's (it would wait forever for a message from
      // a client that already left, or roll back the app's work).
      if (prop === "isInTransaction") return () => release !== null;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
