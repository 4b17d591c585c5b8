import { serviceRoute } from "@/lib/api/handler";
import { lookupRetentionPolicy } from "@/lib/retention/policy-lookup";

export const dynamic = "force-dynamic";

export const GET = serviceRoute<{ orgId: string }>(
  { route: "/api/v1/orgs/{orgId}/retention-policy", rateClass: "policy" },
  async ({ request, principal, params }) => {
    const answer = await lookupRetentionPolicy({ principal, orgId: params.orgId });
    // Revalidate every time: a cached "ZDR off" must never outlive a change.
    const headers = { etag: answer.etag, "cache-control": "private, no-cache" };
    if (ifNoneMatch(request.headers.get("if-none-match"), answer.etag)) return new Response(null, { status: 304, headers });
    return new Response(answer.body, { headers: { ...headers, "content-type": "application/json" } });
  },
);

function ifNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag === etag;
  });
}
