/**
 * One app instance for the two-instance test: its own process, its own
 * postgres.js pool, its own policy and token caches, serving the policy
 * lookup as the production server does (its fast path), the flags route
 * handler and the policy stream over HTTP. Prints "listening <port>" when ready.
 */
import http from "node:http";
import { serveFastPath } from "@/lib/api/fast-path";
import { POST as flagsRoute } from "@/app/api/v1/moderation/flags/route";
import { GET as streamRoute } from "@/app/api/v1/retention-policy/stream/route";
import { getDbHandle } from "@/lib/db";
import { cacheListener } from "@/lib/db/listen";

await cacheListener(getDbHandle()).ready;

const server = http.createServer(async (req, res) => {
  if (serveFastPath(req, res)) return;
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const request = new Request(`http://localhost${req.url}`, { method: req.method, headers, body: req.method === "POST" ? Buffer.concat(chunks) : undefined });
  let response: Response;
  if (req.method === "POST" && req.url === "/api/v1/moderation/flags") response = await flagsRoute(request, { params: Promise.resolve({}) });
  else if (req.method === "GET" && req.url === "/api/v1/retention-policy/stream") {
    // The policy stream: written as it is produced, ended when the client goes.
    const ac = new AbortController();
    res.on("close", () => ac.abort());
    response = await streamRoute(new Request(request, { signal: ac.signal }), { params: Promise.resolve({}) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    const reader = response.body.getReader();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return void res.end();
      res.write(value);
    }
  } else response = new Response("not found", { status: 404 });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
