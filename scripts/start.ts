/**
 * `npm start`: build if the build is missing or older than the sources, then
 * the production server (server.ts: Next behind the policy fast path), which
 * migrates (and on the embedded default seeds the demo world) before it
 * answers. Prints the URL and the demo logins when ready.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { envOrExit } from "./cli";
import { DEMO_PASSWORD, DEMO_SUPPORT_TOTP_SECRET, DEMO_USERS } from "@/lib/demo/seed";

const SOURCES = ["app", "components", "lib", "public", "next.config.js", "package-lock.json", "proxy.ts", "instrumentation.ts", "drizzle"];
// server.ts is not built: it runs from source with tsx.;

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newestMtime(path.join(p, f))), st.mtimeMs);
}

function needsBuild(): boolean {
  const buildId = path.join(".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const built = fs.statSync(buildId).mtimeMs;
  return SOURCES.some((s) => newestMtime(s) > built);
}

const env = envOrExit();

// The embedded ClickHouse engine is installed on first use, not by `npm install` (about 550 MB).
if (env.USAGE_STORE === "clickhouse" && !env.CLICKHOUSE_URL) {
  const r = spawnSync("bash", ["scripts/ensure-chdb.sh"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (needsBuild()) {
  console.log("Building the app (first start, or the sources changed)...");
  const r = spawnSync("node_modules/.bin/next", ["build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const server = spawn(process.execPath, ["--import", "tsx", "server.ts"], { stdio: "inherit", env: process.env });
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => server.kill(sig));
server.on("exit", (code) => process.exit(code ?? 0));

const url = `http://localhost:${env.PORT}`;
const deadline = Date.now() + 180_000;
while (Date.now() < deadline) {
  try {
    const res = await fetch(`${url}/api/health`);
    if (res.ok) break;
  } catch {
    /* not up yet */
  }
  await new Promise((r) => setTimeout(r, 500));
}
console.log(`\nZDR Console is running at ${env.APP_URL}`);
if (env.embedded) {
  console.log(`Database: embedded PGlite under ${path.relative(process.cwd(), env.DATA_DIR)}/ (demo world)`);
  console.log(`Demo logins (password: ${DEMO_PASSWORD}):`);
  for (const u of DEMO_USERS) console.log(`  ${u.email.padEnd(28)} ${u.role}${u.org ? ` of ${u.org}` : ""}`);
  console.log(`Support also needs a 6-digit code: add the TOTP secret ${DEMO_SUPPORT_TOTP_SECRET} to an authenticator app,`);
  console.log(`  or run: oathtool --totp -b ${DEMO_SUPPORT_TOTP_SECRET}`);
}
console.log("Press Ctrl+C to stop.\n");
