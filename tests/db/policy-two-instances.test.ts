/**
 * A restriction reaches every app instance within a second. Two processes,
 * each with its own pool and in-memory caches, serve the policy; a moderation
 * flag restricts the org through one, and the other must answer "restricted"
 * within 1 s although it had the old policy cached. PostgreSQL only: the
 * embedded database belongs to one process by design.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeCacheListener } from "@/lib/db/listen";
import { testDbKind, withFreshDatabase } from "../helpers/db";
import { makeOrg, makeToken } from "../helpers/api";
import { createRetentionClient } from "@/packages/fleet-client/src/index";

const fresh = withFreshDatabase();
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill("SIGTERM");
  await closeCacheListener();
});

function startInstance(url: string): Promise<string> {
  const proc = spawn(process.execPath, ["--import", "tsx", "tests/helpers/policy-instance.ts"], {
    env: { ...process.env, DATABASE_URL: url, AUTH_SECRET: "x".repeat(40), NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let err = "";
    proc.stderr!.on("data", (d) => (err += d));
    proc.stdout!.on("data", (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    proc.on("exit", (code) => reject(new Error(`instance exited ${code}: ${err.slice(0, 500)}`)));
  });
}

describe.runIf(testDbKind === "postgres")("two app instances", () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    const url = (fresh.handle() as { url?: string }).url!;
    [a, b] = await Promise.all([startInstance(url), startInstance(url)]);
  }, 60_000);

  it("a restriction made through one instance is served by the other within 1 second", async () => {
    const db = fresh.handle().db;
    const orgId = await makeOrg(db, { zdr: "active" });
    const reader = (await makeToken(db, ["policy:read"])).token;
    const moderator = (await makeToken(db, ["moderation:write"])).token;
    const get = (base: string) =>
      fetch(`${base}/api/v1/orgs/${orgId}/retention-policy`, { headers: { authorization: `Bearer ${reader}` } }).then((r) => r.json());

    // Both instances have the unrestricted policy cached.
    for (let i = 0; i < 3; i++) {
      expect((await get(a)).zdr.honoured).toBe(true);
      expect((await get(b)).zdr.honoured).toBe(true);
    }
    const flagged = await fetch(`${a}/api/v1/moderation/flags`, {
      method: "POST",
      headers: { authorization: `Bearer ${moderator}`, "content-type": "application/json" },
      body: JSON.stringify({ orgId, category: "fraud", severity: "critical", restrict: true }),
    });
    expect(flagged.status).toBe(201);
    const committed = performance.now();
    expect((await get(a)).restriction?.reason).toBe("automated_flag");
    let seen: number | null = null;
    while (performance.now() - committed < 1000) {
      const policy = await get(b);
      if (policy.restriction) {
        expect(policy.zdr.honoured).toBe(false);
        seen = performance.now() - committed;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    console.info(`[two instances] restriction visible on the other instance after ${seen?.toFixed(1)} ms`);
    expect(seen).not.toBeNull();
    expect(seen!).toBeLessThan(1000);
  });

  it("a fleet client streaming from one instance hears a restriction committed through the other within 1 second", async () => {
    const db = fresh.handle().db;
    const orgId = await makeOrg(db, { zdr: "active" });
    const reader = (await makeToken(db, ["policy:read"])).token;
    const moderator = (await makeToken(db, ["moderation:write"])).token;
    // Polling every minute: only the stream can bring the change this fast.
    const client = createRetentionClient({ baseUrl: b, token: reader, staleAfterMs: 3000, refreshMs: 60_000 });
    try {
      const started = performance.now();
      while (!client.streaming() && performance.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
      expect(client.streaming()).toBe(true);
      await client.sync(orgId);
      expect(client.decide({ orgId, product: "llm" }).reason).toBe("zdr_all_requests");
      const flagged = await fetch(`${a}/api/v1/moderation/flags`, {
        method: "POST",
        headers: { authorization: `Bearer ${moderator}`, "content-type": "application/json" },
        body: JSON.stringify({ orgId, category: "fraud", severity: "critical", restrict: true }),
      });
      expect(flagged.status).toBe(201);
      const committed = performance.now();
      while (client.decide({ orgId, product: "llm" }).reason !== "restricted" && performance.now() - committed < 1000)
        await new Promise((r) => setTimeout(r, 2));
      const seen = performance.now() - committed;
      console.info(`[two instances] restriction applied by a client streaming from the other instance after ${seen.toFixed(1)} ms`);
      expect(client.decide({ orgId, product: "llm" }).reason).toBe("restricted");
      expect(seen).toBeLessThan(1000);
    } finally {
      client.close();
    }
  });
});
