import { readJsonBody, serviceRoute } from "@/lib/api/handler";
import { ingestUsage } from "@/lib/usage/store";
import { countIngest } from "@/lib/metrics";

export const dynamic = "force-dynamic";

export const POST = serviceRoute({ route: "/api/v1/usage/events", rateClass: "ingest" }, async ({ request, principal }) => {
  const body = await readJsonBody(request);
  const result = await ingestUsage(principal, body);
  countIngest(result);
  return Response.json(result, { headers: { "cache-control": "no-store" } });
});
