/**
 * The production server (server.ts, from the existing `next build`) as a child
 * process, for the tests that must run against the server itself: PostgreSQL
 * restarts, SIGTERM under load, the CLIs beside the running app. Its stdout
 * (the JSON log) is kept for the canary searches.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export type AppServer = {
  proc: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

/** Builds once when no build exists (the suite's callers run after `next build` in npm test). */
export function ensureBuild(): void {
  if (fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) return;
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/next"), ["build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed");
}

export async function startAppServer(options: { port: number; env: Record<string, string>; readyPath?: string; timeoutMs?: number }): Promise<AppServer> {
  ensureBuild();
  const base = `http://127.0.0.1:${options.port}`;
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      AUTH_SECRET: crypto.randomBytes(33).toString("base64url"),
      PORT: String(options.port),
      APP_URL: base,
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server.ts exited (${proc.exitCode}):\n${out.slice(-3000)}`);
    try {
      const r = await fetch(`${base}${options.readyPath ?? "/api/health/ready"}`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`server.ts not ready in time:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    proc,
    base,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Signs in through /api/session and returns the session cookie. */
export async function signInCookie(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
