/**
 * The production server (server.ts) on a bench database, built once if the
 * build is missing; stopped by the caller. `nextStart` runs the same build
 * under plain `next start` instead, for comparison.
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export type RunningServer = { base: string; stop(): void; /** The server process (for its memory). */ pid?: number };

function ensureBuild(log: (l: string) => void): void {
  if (fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) return;
  log("no production build: running next build once");
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/next"), ["build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed");
}

export async function startServer(options: {
  url: string;
  port: number;
  log: (l: string) => void;
  nextStart?: boolean;
  /** More environment for the server (USAGE_STORE, DATA_DIR). */
  env?: Record<string, string>;
}): Promise<RunningServer> {
  ensureBuild(options.log);
  const base = `http://127.0.0.1:${options.port}`;
  const [command, args] = options.nextStart
    ? [path.join(ROOT, "node_modules/.bin/next"), ["start", "-p", String(options.port), "-H", "127.0.0.1"]]
    : [process.execPath, ["--import", "tsx", "server.ts"]];
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: options.url,
      AUTH_SECRET: crypto.randomBytes(33).toString("base64url"),
      PORT: String(options.port),
      APP_URL: base,
      NODE_ENV: "production",
      ...options.env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  const started = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) break;
    } catch {
      /* not yet listening */
    }
    if (Date.now() - started > 120_000) throw new Error("the server did not become healthy in 120 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  options.log(`server ready at ${base} in ${Date.now() - started} ms`);
  return { base, stop: () => void proc.kill("SIGTERM"), pid: proc.pid };
}
