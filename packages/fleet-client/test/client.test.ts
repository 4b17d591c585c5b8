import { describe, expect, it } from "vitest";
import { createRetentionClient } from "../src/index";

const ORG = "00000000-0000-4000-8000-000000000001";
const policy = (over: Record<string, unknown> = {}) => ({
  plan: "enterprise",
  zdr: { status: "active", honoured: true, scope: "all_requests" },
  restriction: null,
  cacheWindowSeconds: 3600,
  contentRetentionDays: 30,
  trainingUse: false,
  products: [{ product: "llm", dataTypes: [{ zdrEligible: true }] }],
  version: 1,
  ...over,
});

function fakeServer() {
  const state = { body: policy() as unknown, status: 200, calls: 0, etag: '"v1"' };
  const fetchFn = (async (_url: string, init?: { headers?: Record<string, string> }) => {
    state.calls++;
    if (state.status !== 200) return new Response("{}", { status: state.status });
    if (init?.headers?.["if-none-match"] === state.etag) return new Response(null, { status: 304, headers: { etag: state.etag } });
    return new Response(JSON.stringify(state.body), { status: 200, headers: { etag: state.etag } });
  }) as unknown as typeof fetch;
  return { state, fetchFn };
}

describe("fleet client", () => {
  it("fails closed before the first sync, then decides from memory", async () => {
    const { fetchFn } = fakeServer();
    let t = 0;
    const c = createRetentionClient({ baseUrl: "http://x", token: "t", staleAfterMs: 1000, fetch: fetchFn, now: () => t });
    expect(c.decide({ orgId: ORG, product: "llm" })).toMatchObject({ keepContent: false, reason: "policy_unavailable" });
    await c.sync(ORG);
    expect(c.decide({ orgId: ORG, product: "llm" })).toMatchObject({ keepContent: false, zeroRetention: true, reason: "zdr_all_requests", policyVersion: 1 });
    t = 1001;
    expect(c.decide({ orgId: ORG, product: "llm" })).toMatchObject({ keepContent: false, reason: "policy_unavailable" });
    c.close();
  });

  it("a client cut off goes stale and fails closed within its bound", async () => {
    const { state, fetchFn } = fakeServer();
    const c = createRetentionClient({ baseUrl: "http://x", token: "t", staleAfterMs: 300, refreshMs: 50, fetch: fetchFn });
    await c.sync(ORG);
    state.body = policy({ restriction: { reason: "automated_flag" }, version: 2 });
    state.etag = '"v2"';
    await new Promise((r) => setTimeout(r, 200));
    expect(c.decide({ orgId: ORG, product: "llm" })).toMatchObject({ keepContent: true, reason: "restricted" });
    state.status = 503;
    await new Promise((r) => setTimeout(r, 400));
    expect(c.decide({ orgId: ORG, product: "llm" })).toMatchObject({ keepContent: false, reason: "policy_unavailable" });
    c.close();
  });
});
