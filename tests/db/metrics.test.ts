import { describe, expect, it } from "vitest";
import { answerPolicyRequest } from "@/lib/api/policy";
import { outbox } from "@/lib/db/schema";
import { cacheListener } from "@/lib/db/listen";
import { metricsText } from "@/lib/metrics";
import { api, makeEvent, makeOrg, makeToken } from "../helpers/api";
import { withFreshDatabase } from "../helpers/db";

const { handle } = withFreshDatabase();

/** The Prometheus text parsed into `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const { body } = await metricsText();
  const out = new Map<string, number>();
  for (const line of body.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^(\S+?)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) out.set(`${m[1]}${m[2] ?? ""}`, Number(m[3]));
  }
  return out;
}
const v = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

describe("metrics", () => {
  it("every metric is present and moves with the work", async () => {
    const db = handle().db;
    await cacheListener(handle()).ready;
    const orgId = await makeOrg(db);
    const token = (await makeToken(db, ["usage:write", "policy:read"])).token;
    const before = await scrape();
    expect(before.has("process_cpu_user_seconds_total")).toBe(true);
    expect(before.has("zdr_change_listener_connected")).toBe(true);

    const e1 = makeEvent(orgId);
    const e2 = makeEvent(orgId);
    expect((await api("POST", "/api/v1/usage/events", { token, body: { events: [e1, e2] } })).status).toBe(200);
    expect((await api("POST", "/api/v1/usage/events", { token, body: { events: [e1, { ...e2, inputUnits: e2.inputUnits + 1 }] } })).status).toBe(200);
    const ok = await answerPolicyRequest({ authorization: `Bearer ${token}`, ifNoneMatch: null, orgId });
    expect(ok.status).toBe(200);
    expect((await answerPolicyRequest({ authorization: "Bearer nope", ifNoneMatch: null, orgId })).status).toBe(401);
    await db.insert(outbox).values({ kind: "email", messageId: "<metrics@test>", payload: {}, createdAt: new Date(Date.now() - 60_000) });
    await db.insert(outbox).values({ kind: "email", messageId: "<metrics-dead@test>", payload: {}, abandonedAt: new Date() });

    const after = await scrape();
    expect(v(after, 'zdr_ingest_events_total{outcome="accepted"}') - v(before, 'zdr_ingest_events_total{outcome="accepted"}')).toBe(2);
    expect(v(after, 'zdr_ingest_events_total{outcome="duplicate"}') - v(before, 'zdr_ingest_events_total{outcome="duplicate"}')).toBe(1);
    expect(v(after, 'zdr_ingest_events_total{outcome="conflict"}') - v(before, 'zdr_ingest_events_total{outcome="conflict"}')).toBe(1);
    expect(v(after, 'zdr_policy_answers_total{outcome="ok"}') - v(before, 'zdr_policy_answers_total{outcome="ok"}')).toBe(1);
    expect(v(after, 'zdr_policy_answers_total{outcome="unauthorized"}') - v(before, 'zdr_policy_answers_total{outcome="unauthorized"}')).toBe(1);
    expect(v(after, "zdr_change_listener_connected")).toBe(1);
    expect(v(after, "zdr_outbox_pending")).toBeGreaterThan(v(before, "zdr_outbox_pending"));
    expect(v(after, "zdr_outbox_oldest_pending_age_seconds")).toBeGreaterThanOrEqual(59);
    expect(v(after, "zdr_outbox_dead_letters") - v(before, "zdr_outbox_dead_letters")).toBe(1);
  });
});
