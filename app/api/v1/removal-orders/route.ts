import { serviceRoute } from "@/lib/api/handler";
import { listRemovalOrders } from "@/lib/removal/orders";

export const dynamic = "force-dynamic";

export const GET = serviceRoute({ route: "/api/v1/removal-orders", rateClass: "removal" }, async ({ principal }) => {
  const orders = await listRemovalOrders(principal);
  return Response.json({ orders }, { headers: { "cache-control": "no-store" } });
});
