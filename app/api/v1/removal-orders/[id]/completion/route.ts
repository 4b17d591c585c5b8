import { readJsonBody, serviceRoute } from "@/lib/api/handler";
import { completeRemovalOrder } from "@/lib/removal/orders";

export const dynamic = "force-dynamic";

export const POST = serviceRoute<{ id: string }>(
  { route: "/api/v1/removal-orders/{id}/completion", rateClass: "removal" },
  async ({ request, principal, params }) => {
    const body = await readJsonBody(request, 16 * 1024);
    const order = await completeRemovalOrder(principal, { orderId: params.id, body });
    return Response.json(order, { headers: { "cache-control": "no-store" } });
  },
);
