/**
 * The e2e test seed: an organization (and users) of a spec's own, written
 * straight into the run's PostgreSQL database with the app's schema, so a
 * spec that changes state touches nothing another spec reads. Names carry a
 * random tag: specs run in parallel and in any order.
 */
import crypto from "node:crypto";
import { openPostgres, type Db, type DbHandle } from "@/lib/db";
import { memberships, organizations, retentionStates, users, zdrRequests } from "@/lib/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { DEMO_PASSWORD } from "@/lib/demo/seed";
import type { Plan, RestrictionReason } from "@/lib/vocabulary";
import { ingestUsageBatch } from "@/lib/usage/ingest";
import { E2E_DATABASE_URL } from "./env";

export type SeededUser = { id: string; email: string; name: string; password: string };
export type SeededOrg = { id: string; name: string; slug: string; admin: SeededUser; member: SeededUser };
export type OrgOptions = {
  /** Start of the org's name; a random tag follows. */
  label?: string;
  plan?: Plan;
  zdr?: "off" | "requested" | "active";
  restricted?: { reason: RestrictionReason; note: string };
  /** The note of the pending request (zdr: "requested"). */
  requestNote?: string;
  /** Usage metadata through the real ingest (events and both rollups): `perDay` events on each of the last `days` days, at noon UTC. */
  usage?: { days: number; perDay: number };
};

export function openSeedDatabase(): DbHandle {
  return openPostgres(E2E_DATABASE_URL, { max: 3 });
}

let hash: Promise<string> | undefined;
const passwordHash = () => (hash ??= hashPassword(DEMO_PASSWORD));

export const tag = () => crypto.randomBytes(4).toString("hex");

export async function seedUser(db: Db, options: { name?: string; emailPrefix?: string } = {}): Promise<SeededUser> {
  const t = tag();
  const email = `${options.emailPrefix ?? "user"}-${t}@e2e.example`;
  const name = options.name ?? `E2E User ${t}`;
  const [row] = await db
    .insert(users)
    .values({ email, name, passwordHash: await passwordHash() })
    .returning({ id: users.id });
  return { id: row.id, email, name, password: DEMO_PASSWORD };
}

export async function addMembership(db: Db, orgId: string, userId: string, role: "admin" | "member"): Promise<void> {
  await db.insert(memberships).values({ orgId, userId, role });
}

/** An organization with one admin and one member, in the retention state asked for. */
export async function seedOrg(db: Db, options: OrgOptions = {}): Promise<SeededOrg> {
  const t = tag();
  const name = `${options.label ?? "E2E Org"} ${t}`;
  const slug = `e2e-${t}`;
  const plan = options.plan ?? "enterprise";
  const zdr = options.zdr ?? "off";
  const admin = await seedUser(db, { name: `Admin ${t}`, emailPrefix: `admin-${t}` });
  const member = await seedUser(db, { name: `Member ${t}`, emailPrefix: `member-${t}` });
  const day = 24 * 3600 * 1000;
  const id = await db.transaction(async (tx) => {
    const [org] = await tx
      .insert(organizations)
      .values({ name, slug, plan, timeZone: "UTC", createdAt: new Date(Date.now() - 30 * day) })
      .returning({ id: organizations.id });
    await tx.insert(memberships).values([
      { orgId: org.id, userId: admin.id, role: "admin" },
      { orgId: org.id, userId: member.id, role: "member" },
    ]);
    await tx.insert(retentionStates).values({
      orgId: org.id,
      zdrStatus: zdr,
      zdrScope: "all_requests",
      zdrSince: zdr === "active" ? new Date(Date.now() - 7 * day) : null,
      zdrRequestedBy: zdr === "off" ? null : admin.id,
      cacheWindowSeconds: zdr === "active" ? 0 : 3600,
      ...(options.restricted
        ? {
            restriction: "restricted" as const,
            restrictionReason: options.restricted.reason,
            restrictionNote: options.restricted.note,
            restrictedSince: new Date(),
          }
        : {}),
    });
    if (zdr === "requested") {
      await tx.insert(zdrRequests).values({
        orgId: org.id,
        requestedBy: admin.id,
        scope: "all_requests",
        note: options.requestNote ?? "E2E: needed for a test.",
        status: "pending",
        createdAt: new Date(Date.now() - 3 * 3600 * 1000),
      });
    }
    return org.id;
  });
  if (options.usage) await seedUsage(db, id, options.usage);
  return { id, name, slug, admin, member };
}

const INGEST = { kind: "service", tokenId: "e2e-seed", name: "e2e seed", scopes: ["usage:write"] } as const;

async function seedUsage(db: Db, orgId: string, usage: { days: number; perDay: number }): Promise<void> {
  const today = new Date();
  today.setUTCHours(12, 0, 0, 0);
  const events = [];
  for (let d = 1; d <= usage.days; d++) {
    for (let i = 0; i < usage.perDay; i++) {
      events.push({
        id: crypto.randomUUID(),
        orgId,
        occurredAt: new Date(today.getTime() - d * 24 * 3600 * 1000 + i * 1000).toISOString(),
        product: "llm",
        model: "e2e-model",
        inputUnits: 100,
        outputUnits: 50,
        status: "ok",
        latencyMs: 200,
        apiKeyId: "key_e2e",
        zeroRetention: true,
      });
    }
  }
  for (let i = 0; i < events.length; i += 1000) await ingestUsageBatch({ ...INGEST, scopes: [...INGEST.scopes] }, { events: events.slice(i, i + 1000) }, db);
}
