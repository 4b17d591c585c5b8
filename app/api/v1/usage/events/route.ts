import { readJsonBody, serviceRoute } from "@/lib/api/handler";
import { ingestUsageBatch } from "@/lib/usage/ingest";

export const dynamic = "force-dynamic";

export const POST = serviceRoute({ route: "/api/v1/usage/events", rateClass: "ingest" }, async ({ request, principal }) => {
  const body = await readJsonBody(request);
  const result = await ingestUsageBatch(principal, body);
  return Response.json(result, { headers: { "cache-control": "no-store" } });
});
