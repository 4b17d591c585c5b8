/**
 * Fleet removal orders: content kept outside ZDR lives in the serving fleet,
 * so an approved request that includes content becomes an order the fleet
 * takes (GET /api/v1/removal-orders) and reports (POST …/{id}/completion).
 *
 * Orders are fleet-wide: a service token is not bound to an organization,
 * so "another org's order" for a token is an order of an org other than the
 * one the report names. The report carries the org it was carried out for
 * (`orgId`, optional in the body, always in the answer): an order id with
 * another org is 404, as is an unknown id, so a token cannot confirm that an
 * order of an org exists by guessing. Reports are idempotent: the first
 * report is kept, a repeat with the same figures answers the same order, a
 * repeat with different figures is a conflict.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db, type Tx } from "@/lib/db";
import { removalOrders, removalRequests } from "@/lib/db/schema";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError, notFound, parseInput, ValidationError } from "@/lib/errors";
import { kickOutbox } from "@/lib/notify/worker";
import { completeRequestIfDoneIn } from "./jobs";

export const RemovalOrderSchema = z
  .object({
    id: z.uuid(),
    requestId: z.uuid(),
    orgId: z.uuid(),
    projectId: z.uuid().nullable(),
    apiKeyId: z.string().nullable(),
    from: z.iso.datetime({ offset: true }).meta({ description: "First instant in scope (inclusive)." }),
    to: z.iso.datetime({ offset: true }).meta({ description: "End of the scope (exclusive)." }),
    status: z.enum(["pending", "completed"]),
    itemsRemoved: z.int().min(0).nullable(),
    completedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: "RemovalOrder", description: "Content of this scope and range must be removed from the fleet's stores." });
export const RemovalOrderListSchema = z.object({ orders: z.array(RemovalOrderSchema) }).meta({ id: "RemovalOrderList" });

export const RemovalCompletionSchema = z
  .object({
    itemsRemoved: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ description: "Content items the fleet removed (0 when none matched)." }),
    completedAt: z.iso.datetime({ offset: true }).meta({ description: "When the fleet finished (RFC 3339), not in the future." }),
    orgId: z.uuid().optional().meta({ description: "The organization the fleet removed content for; an order of another org is 404." }),
  })
  .strict()
  .meta({ id: "RemovalCompletion" });
export type RemovalCompletion = z.input<typeof RemovalCompletionSchema>;
export type RemovalOrderView = z.infer<typeof RemovalOrderSchema>;

type Row = { order: typeof removalOrders.$inferSelect; request: typeof removalRequests.$inferSelect };

function view({ order, request }: Row): RemovalOrderView {
  return {
    id: order.id,
    requestId: order.requestId,
    orgId: order.orgId,
    projectId: request.projectId,
    apiKeyId: request.apiKeyId,
    from: request.fromAt.toISOString(),
    to: request.toAt.toISOString(),
    status: order.status,
    itemsRemoved: order.itemsRemoved,
    completedAt: order.completedAt?.toISOString() ?? null,
  };
}

/** Orders the fleet has yet to carry out (pending), oldest first. */
export async function listRemovalOrders(
  actor: Principal | null,
  input: { status?: "pending" | "completed" } = {},
  db: Tx = getDb(),
): Promise<RemovalOrderView[]> {
  authorize(actor, "removal.orders.read");
  const rows = await db
    .select({ order: removalOrders, request: removalRequests })
    .from(removalOrders)
    .innerJoin(removalRequests, eq(removalRequests.id, removalOrders.requestId))
    .where(inArray(removalOrders.status, input.status ? [input.status] : ["pending"]))
    .orderBy(asc(removalOrders.createdAt))
    .limit(500);
  return rows.map(view);
}

/** The fleet reports an order carried out; the request completes when its usage part has too. */
export async function completeRemovalOrder(
  actor: Principal | null,
  input: { orderId: string; body: unknown },
  db: Db = getDb(),
  options: { now?: Date } = {},
): Promise<RemovalOrderView> {
  authorize(actor, "removal.orders.complete");
  if (!z.uuid().safeParse(input.orderId).success) throw notFound("Removal order not found");
  const body = parseInput(RemovalCompletionSchema, input.body, { style: "json" });
  const completedAt = new Date(body.completedAt);
  const now = options.now ?? new Date();
  if (completedAt.getTime() > now.getTime() + 5 * 60_000)
    throw new ValidationError("completedAt must not be in the future", [{ path: "$.completedAt", problem: "must not be in the future" }]);
  const out = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ order: removalOrders, request: removalRequests })
      .from(removalOrders)
      .innerJoin(removalRequests, eq(removalRequests.id, removalOrders.requestId))
      .where(and(eq(removalOrders.id, input.orderId), ...(body.orgId ? [eq(removalOrders.orgId, body.orgId)] : [])))
      .for("update", { of: removalOrders });
    if (!row) throw notFound("Removal order not found");
    if (row.order.status === "completed") {
      if (row.order.itemsRemoved !== body.itemsRemoved || row.order.completedAt?.getTime() !== completedAt.getTime()) {
        throw new AppError("conflict", "This order was already reported with other figures; the first report stands.", { current: view(row) });
      }
      return view(row);
    }
    const [order] = await tx
      .update(removalOrders)
      .set({ status: "completed", itemsRemoved: body.itemsRemoved, completedAt, reportedAt: now, reportedBy: actor.kind === "service" ? actor.tokenId : null })
      .where(eq(removalOrders.id, row.order.id))
      .returning();
    await completeRequestIfDoneIn(tx, row.request.id);
    return view({ order, request: row.request });
  });
  kickOutbox();
  return out;
}
