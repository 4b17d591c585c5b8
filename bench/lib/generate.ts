/**
 * Synthetic data for the benchmarks: organizations with retention states in
 * several time zones, and usage events with random UUIDs, as the fleet sends them.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { organizations, retentionStates } from "@/lib/db/schema";

const ZONES = ["UTC", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo", "America/Los_Angeles"];
const MODELS: [string, string][] = [
  ["llm", "atlas-large"],
  ["llm", "atlas-small"],
  ["speech_to_text", "scribe-v2"],
  ["text_to_speech", "tts-flash-v2"],
  ["text_to_speech", "tts-multilingual-v3"],
  ["voice_changer", "vc-sts-v2"],
];

/** `n` organizations, each with a retention state (a mix of ZDR on, off, requested, restricted). */
export async function createOrgs(db: Db, n: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < n; start += 500) {
    const batch = Array.from({ length: Math.min(500, n - start) }, (_, k) => {
      const i = start + k;
      return {
        name: `${prefix} ${i}`,
        slug: `${prefix}-${i}-${crypto.randomBytes(3).toString("hex")}`,
        plan: i % 5 === 0 ? ("free" as const) : ("enterprise" as const),
        timeZone: ZONES[i % ZONES.length],
      };
    });
    const rows = await db.insert(organizations).values(batch).returning({ id: organizations.id });
    await db.insert(retentionStates).values(
      rows.map((r, k) => {
        const i = start + k;
        const restricted = i % 17 === 0;
        return {
          orgId: r.id,
          zdrStatus: i % 3 === 0 ? ("off" as const) : i % 3 === 1 ? ("active" as const) : ("requested" as const),
          zdrSince: new Date(),
          restriction: restricted ? ("restricted" as const) : ("none" as const),
          restrictionReason: restricted ? ("automated_flag" as const) : null,
          cacheWindowSeconds: (i * 60) % 3600,
        };
      }),
    );
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

export type BenchEvent = {
  id: string;
  orgId: string;
  occurredAt: string;
  product: string;
  model: string;
  inputUnits: number;
  outputUnits: number;
  status: "ok" | "client_error" | "server_error";
  latencyMs: number;
  apiKeyId: string;
  zeroRetention: boolean;
};

/**
 * Events as a live fleet reports them: served in the last minute, for random
 * orgs, each org using a few of the models and three API keys of its own.
 * Ids are random UUIDs (no locality in the primary key).
 */
export function generateEvents(orgIds: string[], n: number, options: { spreadMs?: number } = {}): BenchEvent[] {
  const now = Date.now();
  const spread = options.spreadMs ?? 60_000;
  const out: BenchEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const org = Math.floor(Math.random() * orgIds.length);
    const [product, model] = MODELS[(org + Math.floor(Math.random() * 3)) % MODELS.length];
    const r = Math.random();
    out[i] = {
      id: crypto.randomUUID(),
      orgId: orgIds[org],
      occurredAt: new Date(now - Math.floor(Math.random() * spread)).toISOString(),
      product,
      model,
      inputUnits: 1 + Math.floor(Math.random() * 4000),
      outputUnits: Math.floor(Math.random() * 1500),
      status: r < 0.02 ? "client_error" : r < 0.03 ? "server_error" : "ok",
      latencyMs: 50 + Math.floor(Math.random() * Math.random() * 8000),
      apiKeyId: `key_${org}_${Math.floor(Math.random() * 3)}`,
      zeroRetention: org % 2 === 0,
    };
  }
  return out;
}

export async function tableRows(db: Db, table: string): Promise<number> {
  const r = (await db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`)) as unknown as { n: number }[] | { rows: { n: number }[] };
  return (Array.isArray(r) ? r : r.rows)[0].n;
}
