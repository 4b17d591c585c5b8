/**
 * A small closed-loop HTTP load generator: `concurrency` clients, each sending
 * its next request when the previous answer arrived, over keep-alive
 * connections (node:http, lighter than fetch so the client steals less CPU
 * from the server on a 2-core machine).
 */
import http from "node:http";

export type LoadRequest = { method: "GET" | "POST"; path: string; headers?: Record<string, string>; body?: Buffer | string };
export type LoadResult = { requests: number; seconds: number; latenciesMs: number[]; statuses: Map<number, number>; bodies?: string[] };

export async function runLoad(options: {
  baseUrl: string;
  concurrency: number;
  /** Stop after this many requests in total, or after `seconds`, whichever comes first. */
  total?: number;
  seconds?: number;
  next: (i: number) => LoadRequest;
  keepBodies?: boolean;
  /** Each client waits about this long after an answer before its next request (a user reading the page): uniformly 0 to twice it, so clients do not march in step; 0 by default. */
  thinkMs?: number;
}): Promise<LoadResult> {
  const u = new URL(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const bodies: string[] = [];
  let issued = 0;
  const started = performance.now();
  const deadline = options.seconds ? started + options.seconds * 1000 : Infinity;
  const total = options.total ?? Infinity;

  const one = (req: LoadRequest) =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const r = http.request({ host: u.hostname, port: u.port, method: req.method, path: req.path, headers: req.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          if (options.keepBodies) bodies.push(Buffer.concat(chunks).toString("utf8"));
          resolve();
        });
      });
      r.on("error", reject);
      if (req.body) r.write(req.body);
      r.end();
    });

  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (issued < total && performance.now() < deadline) {
        const i = issued++;
        await one(options.next(i));
        if (options.thinkMs) await new Promise((r) => setTimeout(r, Math.random() * 2 * options.thinkMs!));
      }
    }),
  );
  agent.destroy();
  return {
    requests: latencies.length,
    seconds: (performance.now() - started) / 1000,
    latenciesMs: latencies,
    statuses,
    bodies: options.keepBodies ? bodies : undefined,
  };
}
