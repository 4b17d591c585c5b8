import { readJsonBody, serviceRoute } from "@/lib/api/handler";
import { recordModerationFlag } from "@/lib/moderation/flags";

export const dynamic = "force-dynamic";

export const POST = serviceRoute({ route: "/api/v1/moderation/flags", rateClass: "moderation" }, async ({ request, principal }) => {
  const body = await readJsonBody(request, 16 * 1024);
  const result = await recordModerationFlag(principal, body);
  return Response.json(result, { status: 201, headers: { "cache-control": "no-store" } });
});
