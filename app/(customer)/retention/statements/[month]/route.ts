/** GET /retention/statements/{YYYY-MM}: the org's signed retention statement of that month with the JWKS that verifies it (admins). */
import { errorResponse } from "@/lib/http/problem";
import { getStatementFile } from "@/lib/statements/statements";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ month: string }> }): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new AppError("unauthorized", "Sign in first");
    if (!user.orgId) throw new AppError("not_found", "Not found");
    const { month } = await params;
    const file = await getStatementFile(user, { orgId: user.orgId, month });
    return new Response(JSON.stringify(file, null, 2), {
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="retention-statement-${file.month}.json"`,
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
}
