/**
 * GET /api/v1/orgs/{orgId}/retention-policy, independent of the transport:
 * the fleet calls it for every API request, so the production server answers
 * it on node:http before Next's router (server.ts), and the Next route handler
 * serves the same answer under `next dev` and `next start`.
 */
import type { ServicePrincipal } from "@/lib/auth/principal";
import crypto from "node:crypto";
import { cachedRetentionPolicy, lookupRetentionPolicy, type LookupArgs, type PolicyAnswer } from "@/lib/retention/policy-lookup";
import { decideRetention } from "@/lib/retention/decision";
import { AppError, isUuid } from "@/lib/errors";
import { PRODUCT_IDS } from "@/lib/vocabulary";
import { cachedServicePrincipal } from "./auth";
import { failureAnswer, serviceAnswer } from "./handler";
import type { PlainResponse } from "@/lib/http/problem";
import { takeRateToken } from "./rate-limit";
import { countPolicyAnswer } from "@/lib/metrics";

export const POLICY_ROUTE = "/api/v1/orgs/{orgId}/retention-policy";
export const DECISION_ROUTE = "/api/v1/orgs/{orgId}/retention-decision";
const RETENTION_PATH = /^\/api\/v1\/orgs\/([^/?#]+)\/retention-(policy|decision)(?:\?(.*))?$/;

/** Both fast-path endpoints: which one, its orgId and its query string; null for any other target. */
export function matchRetentionPath(target: string): { kind: "policy" | "decision"; orgId: string; query: string } | null {
  const m = RETENTION_PATH.exec(target);
  if (!m) return null;
  try {
    return { kind: m[2] as "policy" | "decision", orgId: decodeURIComponent(m[1]), query: m[3] ?? "" };
  } catch {
    return null;
  }
}

/** The orgId of a request target of the policy endpoint, or null when the target is another one (or undecodable). */
export function matchPolicyPath(target: string): string | null {
  const t = matchRetentionPath(target);
  return t?.kind === "policy" ? t.orgId : null;
}

/** A strong validator matches when any listed tag is equal, or the list is "*". */
function ifNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag === etag;
  });
}

// Built once per cached policy: the hot path allocates nothing it can reuse. Never mutated by a transport.
const answers = new WeakMap<PolicyAnswer, { ok: PlainResponse; notModified: PlainResponse }>();

function answer(policy: PolicyAnswer, ifNoneMatchHeader: string | null): PlainResponse {
  let built = answers.get(policy);
  if (!built) {
    // Revalidate every time: a cached "ZDR off" must never outlive a change.
    const headers = { etag: policy.etag, "cache-control": "private, no-cache" };
    built = {
      ok: { status: 200, headers: { ...headers, "content-type": "application/json" }, body: policy.body },
      notModified: { status: 304, headers, body: null },
    };
    answers.set(policy, built);
  }
  return ifNoneMatch(ifNoneMatchHeader, policy.etag) ? built.notModified : built.ok;
}

const OPTIONS = { route: POLICY_ROUTE, rateClass: "policy", method: "GET" } as const;

/**
 * The answer to one lookup. When this instance already holds both the token
 * and the org's policy (nearly always: both caches are dropped only by a
 * change), it is computed at once, without a promise; otherwise it is read.
 */
type RetentionRequest = { authorization: string | null; ifNoneMatch: string | null; orgId: string; query?: string };

/** The one way both endpoints answer, counted by outcome in the metrics (lib/metrics.ts). */
function answerFrom(
  options: { route: string; rateClass: "policy"; method: "GET" },
  request: RetentionRequest,
  args: () => LookupArgs,
  build: (policy: PolicyAnswer) => PlainResponse,
): PlainResponse | Promise<PlainResponse> {
  const a = answerUncounted(options, request, args, build);
  if (a instanceof Promise) return a.then((r) => (countPolicyAnswer(r.status), r));
  countPolicyAnswer(a.status);
  return a;
}

/** From this instance's copy at once when it holds it, else after a read. */
function answerUncounted(
  options: { route: string; rateClass: "policy"; method: "GET" },
  request: RetentionRequest,
  args: () => LookupArgs,
  build: (policy: PolicyAnswer) => PlainResponse,
): PlainResponse | Promise<PlainResponse> {
  let principal: ServicePrincipal | undefined;
  let lookup: LookupArgs | undefined;
  try {
    principal = cachedServicePrincipal(request.authorization);
    if (principal) {
      takeRateToken(principal.tokenId, options.rateClass);
      lookup = args();
      const hit = cachedRetentionPolicy(principal, lookup);
      if (hit) return build(hit);
    }
  } catch (err) {
    return failureAnswer(options, err);
  }
  if (principal && lookup) return lookupRetentionPolicy(principal, lookup).then(build, (err) => failureAnswer(options, err));
  // Not in this instance's token cache: authenticated first, so a bad query without a token is a 401, not a 400.
  return serviceAnswer({ ...options, authorization: request.authorization }, async (p) => build(await lookupRetentionPolicy(p, args())));
}

const PRODUCTS = new Set<string>(PRODUCT_IDS);

function projectParam(params: URLSearchParams, problems: string[]): string | null {
  const projectId = params.get("projectId");
  if (projectId === null || projectId === "") return null;
  if (!isUuid(projectId)) problems.push("projectId");
  return projectId;
}

function policyArgs(request: RetentionRequest): LookupArgs {
  const problems: string[] = [];
  const projectId = projectParam(new URLSearchParams(request.query ?? ""), problems);
  if (problems.length) throw new AppError("invalid", "projectId: must be a UUID", { fields: problems });
  return { orgId: request.orgId, projectId };
}

export function answerPolicyRequest(request: RetentionRequest): PlainResponse | Promise<PlainResponse> {
  return answerFrom(
    OPTIONS,
    request,
    () => policyArgs(request),
    (policy) => answer(policy, request.ifNoneMatch),
  );
}

const DECISION_OPTIONS = { route: DECISION_ROUTE, rateClass: "policy", method: "GET" } as const;

type DecisionQuery = { orgId: string; projectId: string | null; product: string; enableLogging: boolean };

function decisionQuery(request: RetentionRequest): DecisionQuery {
  const params = new URLSearchParams(request.query ?? "");
  const problems: string[] = [];
  const product = params.get("product");
  if (product === null || !PRODUCTS.has(product)) problems.push("product");
  const projectId = projectParam(params, problems);
  const logging = params.get("enableLogging");
  if (logging !== null && logging !== "true" && logging !== "false") problems.push("enableLogging");
  if (problems.length) {
    const what = {
      product: `product: one of ${PRODUCT_IDS.join(", ")}`,
      projectId: "projectId: a UUID",
      enableLogging: "enableLogging: true or false",
    } as Record<string, string>;
    throw new AppError("invalid", `Invalid query parameter(s): ${problems.map((p) => what[p]).join("; ")}`, { fields: problems });
  }
  return { orgId: request.orgId, projectId, product: product!, enableLogging: logging !== "false" };
}

// Per cached policy, one built answer per (product, enableLogging): the hot path allocates nothing it can reuse.
const decisions = new WeakMap<PolicyAnswer, Map<string, { ok: PlainResponse; notModified: PlainResponse }>>();

function decisionAnswer(policy: PolicyAnswer, q: DecisionQuery, ifNoneMatchHeader: string | null): PlainResponse {
  let perPolicy = decisions.get(policy);
  if (!perPolicy) decisions.set(policy, (perPolicy = new Map()));
  const key = `${q.product}|${q.enableLogging}`;
  let built = perPolicy.get(key);
  if (!built) {
    const body = JSON.stringify(decideRetention(policy.policy, { product: q.product, enableLogging: q.enableLogging }));
    const etag = `"${crypto.createHash("sha256").update(policy.etag).update(body).digest("base64url").slice(0, 27)}"`;
    const headers = { etag, "cache-control": "private, no-cache" };
    built = { ok: { status: 200, headers: { ...headers, "content-type": "application/json" }, body }, notModified: { status: 304, headers, body: null } };
    perPolicy.set(key, built);
  }
  return ifNoneMatch(ifNoneMatchHeader, built.ok.headers.etag) ? built.notModified : built.ok;
}

/**
 * GET /api/v1/orgs/{orgId}/retention-decision: the per-request answer, from
 * the same cached effective policy and the one decideRetention. A policy that
 * cannot be read is a 503, and the fleet then keeps nothing.
 */
export function answerDecisionRequest(request: RetentionRequest): PlainResponse | Promise<PlainResponse> {
  let q: DecisionQuery | undefined;
  return answerFrom(
    DECISION_OPTIONS,
    request,
    () => {
      q = decisionQuery(request);
      return { orgId: q.orgId, projectId: q.projectId };
    },
    (policy) => decisionAnswer(policy, q!, request.ifNoneMatch),
  );
}
