/**
 * A webhook receiver the tests run: verifies each request with the
 * `standardwebhooks` reference library, dedupes by webhook-id (as the spec
 * asks receivers to), and can be told to fail or to be down.
 */
import http from "node:http";
import { Webhook } from "standardwebhooks";

export type Received = { id: string; timestamp: string; signature: string; body: string; verified: boolean; receivedAt: number };

export type Receiver = {
  url: string;
  port: number;
  /** Every request that arrived, in order (duplicates included). */
  requests: Received[];
  /** First arrival per webhook-id. */
  unique: () => Map<string, Received>;
  setSecrets: (secrets: string[]) => void;
  /** Answer with this status instead of 204 (e.g. 500, or 302 with `location`). */
  respond: (status: number, headers?: Record<string, string>) => void;
  waitFor: (n: number, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
};

export async function startWebhookReceiver(port: number, host = "127.0.0.1"): Promise<Receiver> {
  let secrets: string[] = [];
  let status = 204;
  let extra: Record<string, string> = {};
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const h = {
        "webhook-id": String(req.headers["webhook-id"] ?? ""),
        "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
      };
      let verified = false;
      for (const s of secrets) {
        try {
          new Webhook(s).verify(body, h);
          verified = true;
        } catch {
          /* try the next secret */
        }
      }
      requests.push({ id: h["webhook-id"], timestamp: h["webhook-timestamp"], signature: h["webhook-signature"], body, verified, receivedAt: Date.now() });
      res.writeHead(status, extra);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  // Port 0 asks for a free one: the receiver then says which it got.
  const bound = (server.address() as import("node:net").AddressInfo).port;
  return {
    url: `http://${host}:${bound}/hooks`,
    port: bound,
    requests,
    unique: () => {
      const m = new Map<string, Received>();
      for (const r of requests) if (!m.has(r.id)) m.set(r.id, r);
      return m;
    },
    setSecrets: (s) => (secrets = s),
    respond: (s, headers = {}) => {
      status = s;
      extra = headers;
    },
    async waitFor(n, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > end) throw new Error(`receiver got ${requests.length} of ${n} requests`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
