/**
 * GET /retention/audit-log/consistency?from=<tree size>: proves that the
 * checkpoint a customer kept (of that size) is a prefix of today's log (admins).
 */
import { errorResponse } from "@/lib/http/problem";
import { auditConsistency } from "@/lib/audit/export";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError, ValidationError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new AppError("unauthorized", "Sign in first");
    if (!user.orgId) throw new AppError("not_found", "Not found");
    const raw = new URL(request.url).searchParams.get("from") ?? "";
    if (!/^[1-9][0-9]{0,15}$/.test(raw))
      throw new ValidationError("from: must be a positive tree size", [{ path: "from", problem: "must be a positive tree size" }]);
    const answer = await auditConsistency(user, { orgId: user.orgId, from: Number(raw) });
    return Response.json(answer, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}
