/**
 * SIGTERM under load against server.ts on the embedded default: no request
 * is cut mid-answer (each one is answered whole, or refused before it is
 * read), the process exits within SHUTDOWN_TIMEOUT_MS, and a restart on the
 * same directory finds every row it acknowledged (PGlite closed cleanly).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { seedDemoWorld } from "@/lib/demo/seed";
import { makeOrg, makeToken } from "../helpers/api";
import { startAppServer } from "../helpers/app-server";
import { countCheck } from "./crash-checks";
import { record, scale } from "./figures";

const BOUND_MS = 5_000;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-shutdown-"));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe("SIGTERM under load (server.ts, embedded PGlite)", () => {
  it("answers every request it read, exits within the bound, and a restart finds every acknowledged row", async () => {
    // Prepare the directory as the app would (migrated, demo world without usage), plus an org and a token of our own.
    const setup = openPglite(path.join(dataDir, "db"));
    await migrateDatabase(setup);
    await seedDemoWorld(setup.db, { usage: false });
    const orgId = await makeOrg(setup.db);
    const token = (await makeToken(setup.db, ["usage:write", "policy:read"])).token;
    await setup.close();

    const env = { DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: String(BOUND_MS), NODE_ENV: "production" };
    const app = await startAppServer({ port: 3182, env });
    const acked = new Set<string>();
    const outcomes = { answered: 0, stopping503: 0, refused: 0, resetBeforeAnswer: 0, cut: 0 };
    let running = true;
    const event = (id: string) => ({
      id,
      orgId,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      product: "llm",
      model: "m",
      inputUnits: 3,
      outputUnits: 2,
      status: "ok",
      latencyMs: 50,
      apiKeyId: "key_1",
      zeroRetention: true,
    });
    const one = async (i: number) => {
      const ids = Array.from({ length: 20 }, () => crypto.randomUUID());
      const req =
        i % 2 === 0
          ? fetch(`${app.base}/api/v1/usage/events`, {
              method: "POST",
              headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
              body: JSON.stringify({ events: ids.map(event) }),
            })
          : fetch(`${app.base}/login`);
      let res: Response;
      try {
        res = await req;
      } catch (err) {
        // No answer began. Refused (the listener is closed), or the connection closed under a request the server never read:
        // a keep-alive socket closed as idle while the request was on the wire, or a connection still in the listen backlog.
        // Whether the server had read it is told by its own log below (an unanswered request it read is logged closed_early).
        const code = (err as { cause?: { code?: string } }).cause?.code;
        if (code === "ECONNREFUSED") outcomes.refused++;
        else outcomes.resetBeforeAnswer++;
        return;
      }
      try {
        const body = await res.text();
        if (res.status === 503 && body.includes("stopping")) outcomes.stopping503++;
        else if (res.status === 200) {
          outcomes.answered++;
          if (i % 2 === 0) {
            const parsed = JSON.parse(body) as { accepted: number };
            expect(parsed.accepted).toBe(ids.length);
            for (const id of ids) acked.add(id);
          }
        } else outcomes.cut++;
      } catch {
        // An answer began and did not finish: cut.
        outcomes.cut++;
      }
    };
    const loop = async (k: number) => {
      for (let i = k; running; i += 4) await one(i);
    };
    const loads = [0, 1, 2, 3].map(loop);
    await new Promise((r) => setTimeout(r, scale(6_000, 4_000)));
    const t0 = Date.now();
    app.proc.kill("SIGTERM");
    const code = await app.exited;
    const exitMs = Date.now() - t0;
    running = false;
    await Promise.all(loads);

    // The server's side: every request it read and did not answer whole is in its access log as closed_early.
    const closedEarly = app
      .output()
      .split("\n")
      .filter((line) => line.includes('"reason":"closed_early"')).length;
    outcomes.cut += closedEarly;

    // A restart on the same directory: the lock is free and every acknowledged event is there, counted once.
    const again = openPglite(path.join(dataDir, "db"));
    const c = await countCheck(again.db, orgId, acked);
    await again.close();

    record(
      "shutdown",
      "SIGTERM under load: requests answered whole / 503 stopping / refused / reset before the server read them",
      `${outcomes.answered} / ${outcomes.stopping503} / ${outcomes.refused} / ${outcomes.resetBeforeAnswer}`,
    );
    record(
      "shutdown",
      "SIGTERM under load: requests read and not answered whole (client saw a cut answer, or the server logged closed_early)",
      outcomes.cut,
      "0",
    );
    record("shutdown", `SIGTERM to exit (ms, bound ${BOUND_MS})`, exitMs, `<= ${BOUND_MS + 2000}`);
    record("shutdown", "restart on the same embedded directory: acknowledged events missing", c.lost, "0");
    expect(outcomes.cut).toBe(0);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(BOUND_MS + 2_000);
    expect(acked.size).toBeGreaterThan(0);
    expect(c).toMatchObject({ lost: 0, doubleCounted: 0, missingFromRollups: 0 });
    expect(app.output()).toMatch(/"event":"shutdown_finished".*"reason":"clean"/);
  });
});
