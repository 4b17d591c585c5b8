/**
 * The production server: Next.js behind one node:http server that answers the
 * fleet's retention-policy lookup and the health probes itself
 * (lib/api/fast-path.ts, lib/lifecycle.ts) and hands every other request to
 * Next. Run by `npm start`, the e2e tests, the adversarial suite and the bench:
 *
 *   node --import tsx server.ts          # production (needs `next build`)
 *   node --import tsx server.ts --dev    # development, like `next dev`
 *
 * Next migrates (and on the embedded default seeds) the database from
 * instrumentation.ts while it prepares, before this server listens.
 *
 * On SIGTERM (or SIGINT): readiness turns false, new requests get 503 with
 * `connection: close`, requests under way finish (SHUTDOWN_TIMEOUT_MS at
 * most), then the outbox worker, the change listener and the database stop
 * and the process exits 0 (1 when the bound cut requests off).
 */
import crypto from "node:crypto";
import http from "node:http";
import { envOrExit } from "./scripts/cli";

const dev = process.argv.includes("--dev");
// React and Next pick their production builds from NODE_ENV when first loaded: set it before importing them.
(process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";

const env = envOrExit();

const { logger } = await import("@/lib/log");
const log = logger("server");
const accessLog = logger("access");

// A driver or library error thrown outside any request (a socket dying between queries) must not take every
// request of the process with it: log what it was (never its message: it can quote data) and keep serving.
let listening = false;
process.on("uncaughtException", (err: NodeJS.ErrnoException) => {
  log.error({ event: "uncaught_exception", name: err?.name ?? "unknown", code: err?.code }, "uncaught exception");
  // Before the server listens nothing is serving yet: a clean exit beats a half-started process.
  if (!listening) process.exit(1);
});
process.on("unhandledRejection", (reason) => {
  const e = reason as NodeJS.ErrnoException | undefined;
  log.error({ event: "unhandled_rejection", name: e?.name ?? typeof reason, code: e?.code }, "unhandled rejection");
});

const { default: next } = await import("next");
const { serveFastPath } = await import("@/lib/api/fast-path");
const { beginShutdown, isStopping, readiness, stopServices } = await import("@/lib/lifecycle");
const { onPoolError } = await import("@/lib/db");
const { CLIENT_ADDRESS_HEADER, resolveClientAddress, trustFunction } = await import("@/lib/http/client-address");
const trust = trustFunction(env.TRUST_PROXY);
const { metricsText } = await import("@/lib/metrics");
const serveMetrics = (res: http.ServerResponse) =>
  void metricsText().then(
    (m) => (res.writeHead(200, { "content-type": m.contentType, "cache-control": "no-store" }), res.end(m.body)),
    () => json(res, 500, { status: "error" }),
  );
const metricsTokenOk = (header: string | undefined) => {
  if (!env.METRICS_TOKEN || !header?.startsWith("Bearer ")) return false;
  const a = Buffer.from(header.slice(7));
  const b = Buffer.from(env.METRICS_TOKEN);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
};
// Served over https (APP_URL): browsers keep to https for a year once they saw it.
const hsts = env.APP_URL.startsWith("https://") ? "max-age=31536000; includeSubDomains" : undefined;

/**
 * While the database is known to be down, a page that fails answers 503 with
 * Retry-After (come back in a moment), not 500 (something is broken): a lost
 * connection or a failed page starts a probe that keeps `databaseDown` true
 * until the database answers again.
 */
let databaseDown = false;
let probing = false;
function probeDatabase(): void {
  if (probing) return;
  probing = true;
  const again = () =>
    void readiness().then((r) => {
      databaseDown = !r.checks.database;
      if (databaseDown) setTimeout(again, 500).unref();
      else probing = false;
    });
  again();
}
onPoolError((err) => {
  databaseDown = true;
  probeDatabase();
  log.warn({ event: "database_connection_lost", code: (err as NodeJS.ErrnoException).code }, "database connection lost");
});
/** Next sets the status and writes the head through writeHead (also for an implicit head): the one place to turn a 500 into a 503. */
function unavailableWhileDatabaseDown(res: http.ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, status: number, ...rest: unknown[]) {
    if (status === 500) {
      if (databaseDown) {
        this.setHeader("retry-after", "5");
        status = 503;
      } else probeDatabase();
    }
    return (writeHead as (...a: unknown[]) => http.ServerResponse).call(this, status, ...rest);
  } as typeof res.writeHead;
}

/** The path without its query, ids kept, anything token-like replaced: an invitation link carries its token in the path. */
function loggedRoute(url: string | undefined): string {
  const pathname = (url ?? "/").split("?")[0];
  return pathname
    .split("/")
    .map((seg) => (seg.length > 24 && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(seg) ? ":redacted" : seg))
    .join("/")
    .slice(0, 200);
}

const NO_STORE = { "content-type": "application/json", "cache-control": "no-store" };
function json(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) {
  res.writeHead(status, { ...NO_STORE, ...extra });
  res.end(JSON.stringify(body));
}

const server = http.createServer();
// Next attaches its own upgrade handling (development's hot reload) to this server.
const app = next({ dev, hostname: "localhost", port: env.PORT, httpServer: server });
const handle = app.getRequestHandler();
await app.prepare();

let inFlight = 0;
let idle: (() => void) | undefined;
server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
  const started = performance.now();
  const incoming = req.headers["x-request-id"];
  // A caller's id is kept when it is a plain token (a proxy's), so one request can be followed across both logs.
  const requestId = typeof incoming === "string" && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
  res.setHeader("x-request-id", requestId);
  if (hsts) res.setHeader("strict-transport-security", hsts);
  // The one place the client's address is decided; a copy of the header sent by the client is overwritten.
  req.headers[CLIENT_ADDRESS_HEADER] = resolveClientAddress(req, trust);
  inFlight++;
  res.once("close", () => {
    inFlight--;
    accessLog.info(
      {
        requestId,
        method: req.method,
        route: loggedRoute(req.url),
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        ...(res.writableFinished ? {} : { reason: "closed_early" }),
      },
      "request",
    );
    if (inFlight === 0) idle?.();
  });

  const path = (req.url ?? "").split("?")[0];
  if (path === "/api/health/live") return json(res, 200, { status: "live" });
  if (isStopping()) return json(res, 503, { status: "stopping" }, { connection: "close", "retry-after": "1" });
  if (path === "/api/health/ready") {
    void readiness().then(
      (r) => json(res, r.ready ? 200 : 503, { status: r.ready ? "ready" : "unavailable", checks: r.checks }),
      () => json(res, 503, { status: "unavailable" }),
    );
    return;
  }
  if (path === "/metrics" && env.METRICS_TOKEN) {
    if (!metricsTokenOk(req.headers.authorization)) return json(res, 401, { status: "unauthorized" });
    return serveMetrics(res);
  }
  if (serveFastPath(req, res)) return;
  unavailableWhileDatabaseDown(res);
  void handle(req, res);
});

// A port already taken is the end, as with `next start`: a process that serves nothing must not keep the embedded database's lock.
server.on("error", (err: NodeJS.ErrnoException) => {
  log.fatal({ event: "listen_failed", port: env.PORT, code: err.code }, `cannot listen on port ${env.PORT}`);
  process.exit(1);
});
// On every interface, as `next start` does.
server.listen(env.PORT, () => {
  listening = true;
  log.info({ event: "listening", port: env.PORT }, `${dev ? "development" : "production"} server listening on port ${env.PORT}`);
});

// Metrics on a port of their own: a scraper inside the network, nothing public.
const metricsServer = env.METRICS_PORT
  ? http
      .createServer((req, res) => ((req.url ?? "").split("?")[0] === "/metrics" ? serveMetrics(res) : json(res, 404, { status: "not_found" })))
      .listen(env.METRICS_PORT, env.METRICS_HOST)
  : undefined;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  const t0 = Date.now();
  beginShutdown();
  log.info({ event: "shutdown_started", signal, inFlight }, "stopping: readiness false, new requests refused");
  // No new connections; idle keep-alive connections go now, busy ones after their answer (connection: close).
  server.close();
  server.closeIdleConnections();
  metricsServer?.close();
  const drained = await new Promise<boolean>((resolve) => {
    if (inFlight === 0) return resolve(true);
    idle = () => resolve(true);
    setTimeout(() => resolve(false), env.SHUTDOWN_TIMEOUT_MS).unref();
  });
  server.closeAllConnections();
  // Whatever is left of the bound, and at least a second, for the workers and the database.
  const rest = Math.max(1_000, env.SHUTDOWN_TIMEOUT_MS - (Date.now() - t0));
  const stopped = await Promise.race([
    stopServices().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), rest).unref()),
  ]);
  log.info({ event: "shutdown_finished", ms: Date.now() - t0, inFlight, reason: drained && stopped ? "clean" : "bound_reached" }, "stopped");
  process.exit(drained && stopped ? 0 : 1);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // A second signal means now.
    if (stopping) process.exit(signal === "SIGINT" ? 130 : 143);
    stopping = true;
    void shutdown(signal);
  });
}
