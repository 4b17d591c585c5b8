import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { databaseReady } from "@/lib/boot";

export const dynamic = "force-dynamic";

/** 200 when the database answers, 503 when it does not. Says nothing else about the system. */
export async function GET() {
  try {
    await databaseReady();
    await getDb().execute(sql`select 1`);
    return Response.json({ status: "ok", database: "reachable" }, { headers: { "cache-control": "no-store" } });
  } catch {
    return Response.json({ status: "unavailable", database: "unreachable" }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
