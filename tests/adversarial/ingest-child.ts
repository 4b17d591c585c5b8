/**
 * A stand-in for an app instance under ingest, for the crash tests: it sends
 * batches through the real route handler (as the server would on a request)
 * and prints `ack <ids>` for every batch the handler acknowledged with 200,
 * after the answer, as the fleet would see it. Events are derived from their
 * id, so a replay in a later run is byte-for-byte the same event. A batch
 * that is not acknowledged (the database restarting) is retried as is.
 */
import crypto from "node:crypto";
import { POST as ingestRoute } from "@/app/api/v1/usage/events/route";
import { setRateLimits } from "@/lib/api/rate-limit";

const token = process.env.TOKEN!;
const orgId = process.env.ORG_ID!;
const baseMs = Number(process.env.BASE_MS);
const replay: string[] = JSON.parse(process.env.REPLAY_IDS ?? "[]");
setRateLimits({ ingest: { perSecond: 1e9, burst: 1e9 } });
// As `next start` does (router-server.js): an uncaught exception is logged and the server keeps serving.
process.on("uncaughtException", (err) => console.log(`uncaught ${err.name}: ${err.message}`));

const PRODUCTS = ["llm", "text_to_speech", "speech_to_text", "voice_changer"] as const;
function eventFor(id: string) {
  const h = crypto.createHash("sha256").update(id).digest();
  return {
    id,
    orgId,
    occurredAt: new Date(baseMs - (h.readUInt32BE(0) % (3 * 24 * 3600_000))).toISOString(),
    product: PRODUCTS[h[4] % PRODUCTS.length],
    model: `model-${h[5] % 4}`,
    inputUnits: h.readUInt16BE(6),
    outputUnits: h.readUInt16BE(8),
    status: h[10] % 20 === 0 ? "server_error" : "ok",
    latencyMs: h.readUInt16BE(11),
    apiKeyId: `key_${h[13] % 3}`,
    zeroRetention: h[14] % 2 === 0,
  };
}

async function send(ids: string[]): Promise<boolean> {
  const res = await ingestRoute(
    new Request("http://localhost/api/v1/usage/events", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ events: ids.map(eventFor) }),
    }),
    { params: Promise.resolve({}) },
  );
  const text = await res.text();
  if (res.status === 200) {
    process.stdout.write(`ack ${ids.join(",")}\n`);
    return true;
  }
  process.stdout.write(`status ${res.status} ${text.length}\n`);
  return false;
}

console.log("ready");
let batchNo = 0;
for (;;) {
  batchNo++;
  const size = 1 + Math.floor(Math.random() * 200);
  const ids: string[] = Array.from({ length: size }, () => crypto.randomUUID());
  // Every third batch also carries events acknowledged in an earlier run: a replay after a crash.
  if (batchNo % 3 === 0 && replay.length) ids.push(...replay.splice(0, 20));
  while (!(await send(ids))) await new Promise((r) => setTimeout(r, 100));
}
