/**
 * Calls the machine API's route handlers as the server would (a Request in, a
 * Response out) against the test file's database, and sets up the orgs and
 * tokens the tests act with.
 */
import crypto from "node:crypto";
import { POST as ingestRoute } from "@/app/api/v1/usage/events/route";
import { GET as policyRoute } from "@/app/api/v1/orgs/[orgId]/retention-policy/route";
import { POST as flagsRoute } from "@/app/api/v1/moderation/flags/route";
import { GET as openApiRoute } from "@/app/api/v1/openapi.json/route";
import type { Db } from "@/lib/db";
import { organizations, retentionStates } from "@/lib/db/schema";
import type { ServiceScope } from "@/lib/auth/principal";
import { createServiceToken } from "@/lib/tokens/tokens";
import { openApiDocument } from "@/lib/api/openapi";
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
  const { token, summary } = await createServiceToken(db, SYSTEM, { name: `test ${scopes.join(" ")}`, scopes });
  return { token, id: summary.id };
}

type CallOptions = { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> };

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
  const policy = /^\/api\/v1\/orgs\/([^/]+)\/retention-policy$/.exec(path);
  let template = path;
  let res: Response;
  if (method === "POST" && path === "/api/v1/usage/events") res = await ingestRoute(request, { params: Promise.resolve({}) });
  else if (method === "POST" && path === "/api/v1/moderation/flags") res = await flagsRoute(request, { params: Promise.resolve({}) });
  else if (method === "GET" && policy) {
    template = "/api/v1/orgs/{orgId}/retention-policy";
    res = await policyRoute(request, { params: Promise.resolve({ orgId: decodeURIComponent(policy[1]) }) });
  } else if (method === "GET" && path === "/api/v1/openapi.json") return openApiRoute();
  else throw new Error(`no route for ${method} ${path}`);
  const problems = await validateResponse(openApiDocument(), method, template, res);
  if (problems.length) throw new Error(`${method} ${path} answered ${res.status}, which the OpenAPI document does not describe:\n${problems.join("\n")}`);
  answered.add(`${method} ${template} ${res.status}`);
  return res;
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
