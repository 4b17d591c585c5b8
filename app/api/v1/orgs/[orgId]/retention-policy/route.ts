import { answerPolicyRequest } from "@/lib/api/policy";
import { toResponse } from "@/lib/http/problem";

export const dynamic = "force-dynamic";

// The production server answers this path before Next (server.ts); this handler serves the same answer under `next dev` and `next start`.
export async function GET(request: Request, context: { params: Promise<{ orgId: string }> }): Promise<Response> {
  const { orgId } = await context.params;
  const query = new URL(request.url).search.slice(1);
  return toResponse(
    await answerPolicyRequest({ authorization: request.headers.get("authorization"), ifNoneMatch: request.headers.get("if-none-match"), orgId, query }),
  );
}
