export const dynamic = "force-dynamic";

/** 200 while the process answers at all (a liveness probe restarts it otherwise). server.ts answers it before Next. */
export function GET() {
  return Response.json({ status: "live" }, { headers: { "cache-control": "no-store" } });
}
