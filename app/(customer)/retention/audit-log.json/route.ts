/** GET /retention/audit-log.json: the org's audit entries with inclusion proofs, the latest signed checkpoint and the JWKS (admins). */
import { errorResponse } from "@/lib/http/problem";
import { exportAuditLog } from "@/lib/audit/export";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new AppError("unauthorized", "Sign in first");
    if (!user.orgId) throw new AppError("not_found", "Not found");
    const doc = await exportAuditLog(user, { orgId: user.orgId });
    const day = doc.generatedAt.slice(0, 10);
    return new Response(JSON.stringify(doc, null, 2), {
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="audit-log-${day}.json"`,
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
}
