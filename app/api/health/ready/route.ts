import { readiness } from "@/lib/lifecycle";

export const dynamic = "force-dynamic";

/** 200 when this instance should get traffic, 503 otherwise (starting, stopping, database or change listener down). server.ts answers it before Next. */
export async function GET() {
  const r = await readiness();
  return Response.json(
    { status: r.ready ? "ready" : "unavailable", checks: r.checks },
    { status: r.ready ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
