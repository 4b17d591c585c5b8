/**
 * The running app's embedded database, served to the command-line tools of
 * the same machine: PGlite has one owner (./lock.ts), so `npm run
 * token:create`, `audit:verify`, `db:migrate` and `seed:demo` talk to the
 * owner over a Unix socket (@electric-sql/pglite-socket) with the ordinary
 * pg driver instead of opening the directory a second time. The socket lives
 * in DATA_DIR/run (mode 0700: only the app's user can connect; PGlite has no
 * passwords), its address in DATA_DIR/db.socket beside the lock.
 *
 * One client at a time; a tool's transaction is kept whole against other
 * socket clients by pglite-socket's queue, but not against the app's own
 * queries, which PGlite runs in the same session: the tools' writes are
 * single short transactions (a token, a seed run) for that reason.
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
  const server = new PGLiteSocketServer({ db: pglite, path: socketPath, maxConnections: 1 });
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
