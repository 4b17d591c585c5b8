/**
 * The README's commands while `server.ts` holds the embedded database: they
 * reach it through the app's local socket (lib/db/socket.ts) instead of
 * refusing. token:create prints a token the running app accepts, and
 * audit:verify, db:migrate and seed:demo finish with exit 0, seed:demo while
 * the app answers requests throughout.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { makeOrg } from "../helpers/api";
import { startAppServer } from "../helpers/app-server";
import { record } from "./figures";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-cli-"));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function npmRun(script: string, args: string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, NODE_ENV: "production" };
  delete env.DATABASE_URL;
  return spawnSync("npm", ["run", "--silent", script, ...(args.length ? ["--", ...args] : [])], { encoding: "utf8", env, timeout: 120_000 });
}

/** As npmRun, without blocking the event loop: the test polls the app while the command runs. */
function npmRunAsync(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, NODE_ENV: "production" };
  delete env.DATABASE_URL;
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("the commands beside the running app (embedded default)", () => {
  it("token:create prints a working token and audit:verify passes while server.ts holds the database", async () => {
    const setup = openPglite(path.join(dataDir, "db"));
    await migrateDatabase(setup);
    const orgId = await makeOrg(setup.db);
    await setup.close();
    const app = await startAppServer({ port: 3183, env: { DATA_DIR: dataDir, NODE_ENV: "production" } });
    try {
      const created = npmRun("token:create", ["--name", "beside the app", "--scopes", "policy:read"]);
      expect(created.stderr).not.toMatch(/in use by process/);
      expect(created.status).toBe(0);
      const token = created.stdout.trim().split("\n").at(-1)!.trim();
      const res = await fetch(`${app.base}/api/v1/orgs/${orgId}/retention-policy`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);

      const verify = npmRun("audit:verify");
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stdout).toMatch(/Audit chain intact/);
      const migrate = npmRun("db:migrate");
      expect(migrate.status, migrate.stderr).toBe(0);
      // seed:demo over the socket (the app seeded the demo world at its start, so it finds it there), while the app keeps
      // answering. That a tool's transaction and the app's never interleave in PGlite's one session: tests/db/pglite-socket.test.ts.
      let during = 0;
      let failedDuring = 0;
      const failures: string[] = [];
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const r = await fetch(`${app.base}/api/v1/orgs/${orgId}/retention-policy`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
          during++;
          if (r?.status !== 200) {
            failedDuring++;
            failures.push(r ? `${r.status} ${r.headers.get("retry-after") ?? ""}`.trim() : "no answer");
          }
          await r?.text();
        }
      })();
      const seed = await npmRunAsync("seed:demo");
      polling = false;
      await poll;
      expect(seed.status, seed.stderr).toBe(0);
      expect(seed.stdout).toMatch(/demo world/);
      expect(during).toBeGreaterThan(0);
      expect(failedDuring, failures.join(", ")).toBe(0);
      // The app still serves after the tools came and went.
      expect((await fetch(`${app.base}/api/health/ready`)).status).toBe(200);
      record(
        "cli",
        "commands run beside the app on the embedded default (token:create, audit:verify, db:migrate, seed:demo) that failed",
        [created, verify, migrate, seed].filter((r) => r.status !== 0).length,
        "0",
      );
    } finally {
      await app.stop();
    }
  });
});
