/**
 * GET /api/v1/orgs/{orgId}/retention-policy, independent of the transport:
 * the fleet calls it for every API request, so the production server answers
 * it on node:http before Next's router (server.ts), and the Next route handler
 * serves the same answer under `next dev` and `next start`.
 */
import type { ServicePrincipal } from "@/lib/auth/principal";
import { cachedRetentionPolicy, lookupRetentionPolicy, type PolicyAnswer } from "@/lib/retention/policy-lookup";
import { cachedServicePrincipal } from "./auth";
import { failureAnswer, serviceAnswer } from "./handler";
import type { PlainResponse } from "@/lib/http/problem";
import { takeRateToken } from "./rate-limit";

export const POLICY_ROUTE = "/api/v1/orgs/{orgId}/retention-policy";
const POLICY_PATH = /^\/api\/v1\/orgs\/([^/?#]+)\/retention-policy(?:\?.*)?$/;

/** The orgId of a request target of this endpoint, or null when the target is another one (or undecodable). */
export function matchPolicyPath(target: string): string | null {
  const m = POLICY_PATH.exec(target);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
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
    built = { ok: { status: 200, headers: { ...headers, "content-type": "application/json" }, body: policy.body }, notModified: { status: 304, headers, body: null } };
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
export function answerPolicyRequest(request: { authorization: string | null; ifNoneMatch: string | null; orgId: string }): PlainResponse | Promise<PlainResponse> {
  let principal: ServicePrincipal | undefined;
  try {
    principal = cachedServicePrincipal(request.authorization);
    if (principal) {
      takeRateToken(principal.tokenId, OPTIONS.rateClass);
      const hit = cachedRetentionPolicy(principal, { orgId: request.orgId });
      if (hit) return answer(hit, request.ifNoneMatch);
    }
  } catch (err) {
    return failureAnswer(OPTIONS, err);
  }
  if (principal) {
    return lookupRetentionPolicy(principal, { orgId: request.orgId }).then(
      (policy) => answer(policy, request.ifNoneMatch),
      (err) => failureAnswer(OPTIONS, err),
    );
  }
  return serviceAnswer({ ...OPTIONS, authorization: request.authorization }, async (p) => answer(await lookupRetentionPolicy(p, { orgId: request.orgId }), request.ifNoneMatch));
}
