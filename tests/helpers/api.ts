/**
 * Calls the machine API's route handlers as the server would (a Request in, a
 * Response out) against the test file's database, and sets up the orgs and
 * tokens the tests act with.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { POST as ingestRoute } from "@/app/api/v1/usage/events/route";
import { GET as policyRoute } from "@/app/api/v1/orgs/[orgId]/retention-policy/route";
import { GET as decisionRoute } from "@/app/api/v1/orgs/[orgId]/retention-decision/route";
import { POST as flagsRoute } from "@/app/api/v1/moderation/flags/route";
import { GET as openApiRoute } from "@/app/api/v1/openapi.json/route";
import { GET as removalOrdersRoute } from "@/app/api/v1/removal-orders/route";
import { GET as policyStreamRoute } from "@/app/api/v1/retention-policy/stream/route";
import { POST as removalCompletionRoute } from "@/app/api/v1/removal-orders/[id]/completion/route";
import type { Db } from "@/lib/db";
import { organizations, retentionStates } from "@/lib/db/schema";
import type { ServiceScope } from "@/lib/auth/principal";
import { createServiceToken } from "@/lib/tokens/tokens";
import { openApiDocument } from "@/lib/api/openapi";
import { serveFastPath } from "@/lib/api/fast-path";
import { API_SECURITY_HEADERS } from "@/lib/http/security-headers.js";
import { validateResponse } from "./json-schema";

export const SYSTEM = { kind: "system", name: "tests" } as const;

export async function makeOrg(
  db: Db,
  options: { plan?: "free" | "pro" | "enterprise"; timeZone?: string; zdr?: "off" | "requested" | "active" } = {},
): Promise<string> {
  const slug = `org-${crypto.randomBytes(5).toString("hex")}`;
  const [org] = await db
    .insert(organizations)
    .values({ name: slug, slug, plan: options.plan ?? "enterprise", timeZone: options.timeZone ?? "UTC" })
    .returning({ id: organizations.id });
  await db.insert(retentionStates).values({ orgId: org.id, zdrStatus: options.zdr ?? "active", zdrSince: new Date() });
  return org.id;
}

export async function makeToken(db: Db, scopes: ServiceScope[]): Promise<{ token: string; id: string }> {
  const { token, summary } = await createServiceToken(SYSTEM, { name: `test ${scopes.join(" ")}`, scopes }, db);
  return { token, id: summary.id };
}

type CallOptions = {
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Policy calls go through the fast path and the route handler and compare them; off where the second call would change the answer (a rate limit of 1). */
  parity?: boolean;
};

/** Every (method, path template, status) answered in this test file, for coverage checks. */
export const answered = new Set<string>();

/**
 * One API call: method and path as the fleet would send them. Every response
 * is checked against the OpenAPI document before the test sees it.
 */
export async function api(method: "GET" | "POST", path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const request = new Request(`http://localhost${path}`, { method, headers, body });
  const policy = /^\/api\/v1\/orgs\/([^/?]+)\/retention-(policy|decision)(?:\?.*)?$/.exec(path);
  const completion = /^\/api\/v1\/removal-orders\/([^/]+)\/completion$/.exec(path);
  let template = path;
  let res: Response;
  if (method === "POST" && path === "/api/v1/usage/events") res = await ingestRoute(request, { params: Promise.resolve({}) });
  else if (method === "POST" && path === "/api/v1/moderation/flags") res = await flagsRoute(request, { params: Promise.resolve({}) });
  else if (method === "GET" && path === "/api/v1/removal-orders") res = await removalOrdersRoute(request, { params: Promise.resolve({}) });
  else if (method === "GET" && path === "/api/v1/retention-policy/stream") {
    // The stream never ends: an open one is checked by its status and type, then closed.
    const ac = new AbortController();
    res = await policyStreamRoute(new Request(request, { signal: ac.signal }), { params: Promise.resolve({}) });
    if (res.status === 200) {
      const type = res.headers.get("content-type") ?? "";
      await res.body?.cancel();
      ac.abort();
      if (!type.startsWith("text/event-stream")) throw new Error(`${path} answered 200 as ${type}`);
      answered.add(`GET ${path} 200`);
      return res;
    }
  } else if (method === "POST" && completion) {
    template = "/api/v1/removal-orders/{id}/completion";
    res = await removalCompletionRoute(request, { params: Promise.resolve({ id: decodeURIComponent(completion[1]) }) });
  } else if (method === "GET" && policy) {
    template = `/api/v1/orgs/{orgId}/retention-${policy[2]}`;
    const fast = options.parity === false ? null : await viaFastPath(path, headers);
    const route = policy[2] === "decision" ? decisionRoute : policyRoute;
    res = await route(request, { params: Promise.resolve({ orgId: decodeURIComponent(policy[1]) }) });
    if (fast) await expectSameAnswer(path, fast, res);
  } else if (method === "GET" && path === "/api/v1/openapi.json") return openApiRoute();
  else throw new Error(`no route for ${method} ${path}`);
  const problems = await validateResponse(openApiDocument(), method, template, res);
  if (problems.length) throw new Error(`${method} ${path} answered ${res.status}, which the OpenAPI document does not describe:\n${problems.join("\n")}`);
  answered.add(`${method} ${template} ${res.status}`);
  return res;
}

/**
 * The production server answers the policy lookup on its fast path
 * (server.ts), Next's route handler everywhere else: every policy call of the
 * tests goes through both, and they must agree.
 */
let fastServer: Promise<string> | undefined;
function fastPathBase(): Promise<string> {
  fastServer ??= new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      if (!serveFastPath(req, res)) res.writeHead(404).end("not the fast path");
    });
    server.unref();
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  return fastServer;
}

type Answer = { status: number; headers: Record<string, string>; body: string };

function viaFastPath(path: string, headers: Record<string, string>): Promise<Answer> {
  return fastPathBase().then(
    (base) =>
      new Promise<Answer>((resolve, reject) => {
        const req = http.request(`${base}${path}`, { method: "GET", headers, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") }),
          );
        });
        req.on("error", reject);
        req.end();
      }),
  );
}

const TRANSPORT = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length"]);

async function expectSameAnswer(path: string, fast: Answer, route: Response): Promise<void> {
  const body = await route.clone().text();
  // Next adds these to the route handler's answer from next.config.js; the fast path adds them itself.
  const security = Object.fromEntries(API_SECURITY_HEADERS.map((h) => [h.key.toLowerCase(), h.value]));
  const fromRoute = { ...Object.fromEntries(route.headers), ...security };
  const fromFast = Object.fromEntries(Object.entries(fast.headers).filter(([k]) => !TRANSPORT.has(k)));
  const same =
    fast.status === route.status && fast.body === body && JSON.stringify(Object.entries(fromFast).sort()) === JSON.stringify(Object.entries(fromRoute).sort());
  if (!same) {
    throw new Error(
      `GET ${path}: the fast path and the route handler disagree:\n fast ${fast.status} ${JSON.stringify(fromFast)} ${fast.body}\n route ${route.status} ${JSON.stringify(fromRoute)} ${body}`,
    );
  }
}

export type EventInput = {
  id: string;
  orgId: string;
  occurredAt: string;
  product: string;
  model: string;
  inputUnits: number;
  outputUnits: number;
  status: string;
  latencyMs: number;
  apiKeyId?: string | null;
  projectId?: string | null;
  zeroRetention: boolean;
};

export function makeEvent(orgId: string, overrides: Partial<EventInput> = {}): EventInput {
  return {
    id: crypto.randomUUID(),
    orgId,
    occurredAt: new Date(Date.now() - Math.floor(Math.random() * 3 * 24 * 3600_000)).toISOString(),
    product: "llm",
    model: "atlas-large",
    inputUnits: 1 + Math.floor(Math.random() * 5000),
    outputUnits: Math.floor(Math.random() * 1000),
    status: "ok",
    latencyMs: Math.floor(Math.random() * 4000),
    apiKeyId: "key_test",
    zeroRetention: true,
    ...overrides,
  };
}
