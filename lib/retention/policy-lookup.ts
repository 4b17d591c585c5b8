/**
 * The retention-policy lookup of the machine API, on the fleet's hot path.
 * The answer is always effectivePolicy() of the org's one retention state
 * (invariant 2); what this module adds is an in-memory copy per app instance,
 * dropped the moment the database announces a change (lib/db/listen.ts).
 *
 * It fails closed: the copy is used only while the change listener is
 * connected, a read that fails is a 503 (never a guess), and a fill that raced
 * with a change is not kept.
 */
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getDbHandle, type DbHandle } from "@/lib/db";
import { organizations, projects, retentionStates } from "@/lib/db/schema";
import { ALL_KEYS, cacheListener, type CacheListener } from "@/lib/db/listen";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError, notFound } from "@/lib/errors";
import { effectivePolicy, type EffectivePolicy } from "./policy";
import { processState } from "@/lib/process-state";

/** About 2 KB each: the copy stays bounded however many orgs the fleet asks about; the oldest entry goes first. */
const MAX_ENTRIES = 50_000;

export type PolicyAnswer = { policy: EffectivePolicy; body: string; etag: string };

type PolicyCache = {
  /** The listener whose announcements this cache hears; a new listener (new handle) means a new cache. */
  listener: CacheListener;
  /** Keyed by orgId, or `orgId/projectId` for a project's effective policy. */
  entries: Map<string, PolicyAnswer>;
  /** The project keys held per org, so an org's change drops them too. */
  projectKeys: Map<string, Set<string>>;
  /** Reads under way, shared only by requests of the same generation. */
  inflight: Map<string, { generation: number; promise: Promise<PolicyAnswer> }>;
  /** Bumped by every invalidation: a read that started before it must not be kept. */
  generation: number;
};

const g = processState("policyCache", (): { value?: PolicyCache } => ({}));

function policyCache(handle: DbHandle): PolicyCache {
  const listener = cacheListener(handle);
  if (g.value?.listener === listener) return g.value;
  const cache: PolicyCache = { listener, entries: new Map(), projectKeys: new Map(), inflight: new Map(), generation: 0 };
  listener.subscribe((key) => {
    cache.generation++;
    if (key === ALL_KEYS) {
      cache.entries.clear();
      cache.projectKeys.clear();
    } else if (key.startsWith("org:")) {
      const orgId = key.slice(4);
      cache.entries.delete(orgId);
      for (const k of cache.projectKeys.get(orgId) ?? []) cache.entries.delete(k);
      cache.projectKeys.delete(orgId);
    }
  });
  g.value = cache;
  return cache;
}

async function readPolicy(handle: DbHandle, orgId: string, projectId: string | null): Promise<PolicyAnswer> {
  let rows;
  let project: typeof projects.$inferSelect | undefined;
  try {
    rows = await handle.db
      .select({ plan: organizations.plan, state: retentionStates })
      .from(organizations)
      .leftJoin(retentionStates, eq(retentionStates.orgId, organizations.id))
      .where(eq(organizations.id, orgId));
    if (projectId && rows.length)
      [project] = await handle.db
        .select()
        .from(projects)
        .where(and(eq(projects.id, projectId), eq(projects.orgId, orgId)));
  } catch {
    throw new AppError("unavailable", "The retention state cannot be read right now; keep no content until it can", { retryAfterSeconds: 1 });
  }
  const [row] = rows;
  if (!row) throw notFound("Organization not found");
  // Another organization's project is as unknown as one that does not exist.
  if (projectId && !project) throw notFound("Project not found");
  // An organization without a retention state has no policy to derive: answering "off" would be a guess.
  if (!row.state) throw new AppError("unavailable", "The organization has no retention state; keep no content", { retryAfterSeconds: 1 });
  const policy = effectivePolicy(row.plan, row.state, project);
  const body = JSON.stringify(policy);
  const etag = `"${crypto.createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  return { policy, body, etag };
}

const OrgId = z.uuid();

export type LookupArgs = { orgId: string; projectId?: string | null };

/** The org's id in the form the change notifications use (lower case), after the scope and shape checks. */
function checkLookup(actor: Principal | null, args: LookupArgs): { orgId: string; projectId: string | null; key: string } {
  authorize(actor, "policy.read");
  if (!OrgId.safeParse(args.orgId).success) throw new AppError("invalid", "orgId: must be a UUID", { fields: ["orgId"] });
  if (args.projectId != null && !OrgId.safeParse(args.projectId).success) throw new AppError("invalid", "projectId: must be a UUID", { fields: ["projectId"] });
  // The trigger announces "org:<lower-case uuid>"; an entry kept under upper case would never be dropped.
  const orgId = args.orgId.toLowerCase();
  const projectId = args.projectId ? args.projectId.toLowerCase() : null;
  return { orgId, projectId, key: projectId ? `${orgId}/${projectId}` : orgId };
}

/**
 * The answer from this instance's copy when it holds one, without waiting for
 * anything (the hot path of server.ts); undefined when it must be read.
 * Throws as lookupRetentionPolicy does for a missing scope or a bad orgId.
 */
export function cachedRetentionPolicy(actor: Principal | null, args: LookupArgs): PolicyAnswer | undefined {
  const { key } = checkLookup(actor, args);
  const cache = policyCache(getDbHandle());
  return cache.listener.connected() ? cache.entries.get(key) : undefined;
}

/** The effective retention policy of an org for a service token with `policy:read`. */
export async function lookupRetentionPolicy(actor: Principal | null, args: LookupArgs): Promise<PolicyAnswer> {
  const { orgId, projectId, key } = checkLookup(actor, args);
  const handle = getDbHandle();
  const cache = policyCache(handle);
  if (!cache.listener.connected()) return readPolicy(handle, orgId, projectId);

  const hit = cache.entries.get(key);
  if (hit) return hit;
  const generation = cache.generation;
  const pending = cache.inflight.get(key);
  if (pending && pending.generation === generation) return pending.promise;
  const promise = readPolicy(handle, orgId, projectId)
    .then((answer) => {
      if (cache.generation === generation && cache.listener.connected()) {
        if (cache.entries.size >= MAX_ENTRIES) cache.entries.delete(cache.entries.keys().next().value!);
        cache.entries.set(key, answer);
        if (projectId) {
          let keys = cache.projectKeys.get(orgId);
          if (!keys) cache.projectKeys.set(orgId, (keys = new Set()));
          keys.add(key);
        }
      }
      return answer;
    })
    .finally(() => {
      if (cache.inflight.get(key)?.promise === promise) cache.inflight.delete(key);
    });
  cache.inflight.set(key, { generation, promise });
  return promise;
}
