import { serviceRoute } from "@/lib/api/handler";
import { openPolicyStream } from "@/lib/retention/policy-stream";

export const dynamic = "force-dynamic";

/** GET /api/v1/retention-policy/stream (scope policy:read): server-sent events of policy changes, resumable with Last-Event-ID. */
export const GET = serviceRoute({ route: "/api/v1/retention-policy/stream", rateClass: "policy" }, async ({ request, principal }) => {
  const body = await openPolicyStream(principal, { lastEventId: request.headers.get("last-event-id"), signal: request.signal });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      // Proxies must pass each event on as it is written.
      "x-accel-buffering": "no",
    },
  });
});
