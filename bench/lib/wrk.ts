/**
 * wrk, a C load generator, for GET benchmarks compared with pgbench: both
 * clients are C, so neither side of a ratio pays for a JavaScript client on
 * the same 2 cores. Installed from Debian's packages when missing (as the
 * test command does with Chromium); null when it cannot be, and the caller
 * falls back to the Node client (bench/lib/http-load.ts) and says so.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export function ensureWrk(log: (l: string) => void): string | null {
  const found = spawnSync("sh", ["-c", "command -v wrk"], { encoding: "utf8" }).stdout.trim();
  if (found) return found;
  log("installing Debian's wrk package (the bench's C load generator)");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const run = (args: string[]) =>
    spawnSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  run(["apt-get", "update", "-qq"]);
  run(["apt-get", "install", "-y", "-qq", "wrk"]);
  return spawnSync("sh", ["-c", "command -v wrk"], { encoding: "utf8" }).stdout.trim() || null;
}

// One Lua state per wrk thread: each walks the list of targets from its own offset.
const SCRIPT = `
local paths = {}
for line in io.lines(os.getenv("WRK_TARGETS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
`;

export type WrkResult = { requests: number; seconds: number; rate: number; p50Ms: number; p95Ms: number; p99Ms: number; non2xx: number; socketErrors: number };

export function runWrk(
  bin: string,
  options: { baseUrl: string; targets: string[]; headers: Record<string, string>; connections: number; threads: number; seconds: number },
): WrkResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wrk-"));
  try {
    fs.writeFileSync(path.join(dir, "script.lua"), SCRIPT);
    fs.writeFileSync(path.join(dir, "targets"), options.targets.join("\n"));
    const args = ["-t", String(options.threads), "-c", String(options.connections), "-d", `${options.seconds}s`, "-s", path.join(dir, "script.lua")];
    for (const [k, v] of Object.entries(options.headers)) args.push("-H", `${k}: ${v}`);
    args.push(options.baseUrl);
    const r = spawnSync(bin, args, { encoding: "utf8", env: { ...process.env, WRK_TARGETS: path.join(dir, "targets") } });
    const m = /WRK_RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
    const [requests, durationUs, p50Us, p95Us, p99Us, non2xx, socketErrors] = m.slice(1).map(Number);
    return {
      requests,
      seconds: durationUs / 1e6,
      rate: requests / (durationUs / 1e6),
      p50Ms: p50Us / 1000,
      p95Ms: p95Us / 1000,
      p99Ms: p99Us / 1000,
      non2xx,
      socketErrors,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
