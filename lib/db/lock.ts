/**
 * A lock file beside the embedded database directory, holding the owner's
 * pid. PGlite has no lock of its own: two processes on one directory open
 * without error and silently lose writes, so a second opener refuses here.
 */
import fs from "node:fs";
import path from "node:path";

export class DatabaseLockedError extends Error {
  constructor(
    public readonly dataDir: string,
    public readonly pid: number,
  ) {
    super(
      `The embedded database at ${path.relative(process.cwd(), dataDir) || dataDir} is in use by process ${pid} ` +
        `(probably the running app). Stop that process first, or use PostgreSQL (DATABASE_URL) to share a database.`,
    );
    this.name = "DatabaseLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function lockPath(dataDir: string): string {
  return `${dataDir.replace(/\/$/, "")}.lock`;
}

/** Takes the lock for this process; returns its release. Throws DatabaseLockedError when held. */
export function acquireDataDirLock(dataDir: string): () => void {
  const file = lockPath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      const release = () => {
        try {
          if (fs.readFileSync(file, "utf8").trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
      if (owner === process.pid) return () => {};
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw new DatabaseLockedError(dataDir, owner);
      // A stale lock of a process that died (SIGKILL): take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${file}`);
}
