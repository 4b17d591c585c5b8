/**
 * The production server: Next.js behind one node:http server that answers the
 * fleet's retention-policy lookup itself (lib/api/fast-path.ts) and hands
 * every other request to Next. Run by `npm start`, the e2e tests and the bench:
 *
 *   node --import tsx server.ts          # production (needs `next build`)
 *   node --import tsx server.ts --dev    # development, like `next dev`
 *
 * Next migrates (and on the embedded default seeds) the database from
 * instrumentation.ts while it prepares, before this server listens.
 */
import http from "node:http";
import { envOrExit } from "./scripts/cli";

const dev = process.argv.includes("--dev");
// React and Next pick their production builds from NODE_ENV when first loaded: set it before importing them.
(process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";

const env = envOrExit();

const { default: next } = await import("next");
const { serveFastPath } = await import("@/lib/api/fast-path");

const server = http.createServer();
// Next attaches its own upgrade handling (development's hot reload) to this server.
const app = next({ dev, hostname: "localhost", port: env.PORT, httpServer: server });
const handle = app.getRequestHandler();
await app.prepare();
server.on("request", (req, res) => {
  if (serveFastPath(req, res)) return;
  void handle(req, res);
});

// A port already taken is the end, as with `next start`: a process that serves nothing must not keep the embedded database's lock.
server.on("error", (err: NodeJS.ErrnoException) => {
  console.error(`[zdr] cannot listen on port ${env.PORT}: ${err.code ?? err.message}`);
  process.exit(1);
});
// On every interface, as `next start` does.
server.listen(env.PORT, () => console.log(`[zdr] ${dev ? "development" : "production"} server listening on port ${env.PORT}`));

// On SIGINT or SIGTERM: stop accepting, let requests under way finish (10 s at most), then exit through process.exit so exit hooks run.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    const code = signal === "SIGINT" ? 130 : 143;
    if (stopping) process.exit(code);
    stopping = true;
    server.close(() => process.exit(code));
    server.closeIdleConnections();
    setTimeout(() => process.exit(code), 10_000).unref();
  });
}
