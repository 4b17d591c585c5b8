/**
 * The commands a user runs answer a misconfiguration with one clear sentence
 * that names the problem, never a stack trace.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const tsx = path.resolve("node_modules/.bin/tsx");

async function migrate(env: Record<string, string>) {
  try {
    const r = await run(tsx, ["scripts/migrate.ts"], { env: { PATH: process.env.PATH, NODE_ENV: "production", ...env } as NodeJS.ProcessEnv });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("command-line errors", () => {
  it("a malformed DATABASE_URL names the variable, without a stack trace", async () => {
    const r = await migrate({ DATABASE_URL: "localhost:5432/zdr", AUTH_SECRET: "s".repeat(40) });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/DATABASE_URL: must be a URL like postgres:/);
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it("an unreachable database names host and cause, without the password", async () => {
    const r = await migrate({ DATABASE_URL: "postgres://zdr:hunter2secret@127.0.0.1:9/zdr", AUTH_SECRET: "s".repeat(40) });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Cannot connect to PostgreSQL at 127\.0\.0\.1:9\/zdr: nothing is listening there/);
    expect(r.out).not.toContain("hunter2secret");
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it("a second process refuses the embedded database while another holds it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-lock-"));
    // A live process (this test runner) holds the lock.
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "db.lock"), String(process.pid));
    const r = await migrate({ DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`in use by process ${process.pid}`));
    // A stale lock (dead pid) is taken over.
    fs.writeFileSync(path.join(dir, "db.lock"), "999999");
    const ok = await migrate({ DATA_DIR: dir });
    expect(ok.out).toMatch(/Migrated embedded PGlite/);
    expect(ok.code).toBe(0);
    expect(fs.existsSync(path.join(dir, "db.lock"))).toBe(false);
  });
});
