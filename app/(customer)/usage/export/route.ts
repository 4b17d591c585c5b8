import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/problem";
import { getUsageDashboard } from "@/lib/usage/store";
import { localDate, parseRangeParams } from "@/lib/usage/range";
import { usageOrg } from "@/lib/usage/queries";
import { usageCsvStream } from "@/lib/usage/csv";

/**
 * GET /usage/export?range=…[&project=…]: the CSV of exactly what /usage shows for the same range and project.
 * Its layout (one section per table, a unit column, times in the org's zone) is documented in lib/usage/csv.ts.
 */
export async function GET(request: Request): Promise<Response> {
  const user = await getCurrentUser();
  try {
    if (!user) throw new AppError("unauthorized", "Sign in first");
    // Signed in but in no organization (support staff): the customer export does not exist for them.
    if (!user.orgId) throw new AppError("not_found", "Not found");
    const params = Object.fromEntries(new URL(request.url).searchParams);
    // The same refusals as /usage, a range in the future included (today in the org's time zone).
    const range = parseRangeParams(params, { today: localDate(new Date(), (await usageOrg(user, user.orgId)).timeZone) });
    // ?project=: the same filter as /usage; a project of another org (or none) is 404.
    const projectId = params.project ? params.project.toLowerCase() : null;
    const dashboard = await getUsageDashboard(user, { orgId: user.orgId, range, projectId });
    const r = dashboard.context.range;
    const name = `usage-${r.key}-${r.current.from.slice(0, 10)}-to-${r.current.to.slice(0, 10)}.csv`;
    return new Response(usageCsvStream(dashboard), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
}
