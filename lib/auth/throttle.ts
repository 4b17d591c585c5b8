/**
 * Sign-in throttling over the security log (auth_events). Refused when, in
 * the last 15 minutes, one address failed 5 times for one account, or 20
 * times across accounts. Keyed by account AND address on purpose: locking
 * an account everywhere would let anyone lock its owner out.
 */
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { authEvents } from "@/lib/db/schema";
import { logger } from "@/lib/log";

const securityLog = logger("security");

export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

async function failuresSince(db: Tx, where: ReturnType<typeof and>, limit: number) {
  return db
    .select({ createdAt: authEvents.createdAt })
    .from(authEvents)
    .where(where)
    .orderBy(asc(authEvents.createdAt))
    .limit(limit + 1000)
    .then((rows) => rows.slice(-limit));
}

/**
 * `kind` is what is counted: failed sign-ins by default; password reset
 * requests ("reset_requested") go through the same windows and limits, so
 * one address cannot flood an inbox or probe accounts faster than it could
 * guess passwords.
 */
export async function checkSignInThrottle(
  db: Tx,
  input: { email: string; ip: string; now?: Date; kind?: "failure" | "reset_requested" },
): Promise<ThrottleVerdict> {
  const now = input.now ?? new Date();
  const since = new Date(now.getTime() - WINDOW_MS);
  const recent = and(eq(authEvents.kind, input.kind ?? "failure"), gt(authEvents.createdAt, since), eq(authEvents.ip, input.ip));
  const checks = [
    { where: and(recent, eq(authEvents.email, input.email)), limit: MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS },
    { where: recent, limit: MAX_FAILURES_PER_ADDRESS },
  ];
  let retryAfter = 0;
  for (const c of checks) {
    const [{ n }] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(authEvents)
      .where(c.where);
    if (n >= c.limit) {
      // The lock lifts when the oldest of the last `limit` failures leaves the window.
      const window = await failuresSince(db, c.where, c.limit);
      const oldest = window[0]?.createdAt ?? now;
      retryAfter = Math.max(retryAfter, Math.ceil((oldest.getTime() + WINDOW_MS - now.getTime()) / 1000));
    }
  }
  return retryAfter > 0 ? { allowed: false, retryAfterSeconds: Math.max(1, retryAfter) } : { allowed: true };
}

export type AuthEventKind =
  | "sign_in"
  | "failure"
  | "lockout"
  | "sign_out"
  | "sign_out_everywhere"
  | "session_ended"
  | "reset_requested"
  | "password_reset"
  | "sso_sign_in"
  | "sso_failure";

/** The security log: who, from where, what happened. Never a password. */
export async function recordAuthEvent(
  db: Tx,
  e: { kind: AuthEventKind; email?: string | null; userId?: string | null; ip?: string | null; at?: Date },
): Promise<void> {
  await db.insert(authEvents).values({ kind: e.kind, email: e.email ?? null, userId: e.userId ?? null, ip: e.ip ?? null, createdAt: e.at });
  // The address and the email stay in auth_events; stdout gets the kind and the user id only.
  securityLog.info({ event: e.kind, userId: e.userId ?? undefined }, "security event");
}
