/**
 * Sign-in sessions, one row per device (user_sessions). The session JWT
 * carries the row's id; a request counts only while the row is open and
 * unexpired (lib/auth/load-principal.ts), so one device can be signed out
 * from another while the rest stay signed in. Signing out on all devices
 * ends every row and bumps the user's session version, which also ends
 * sessions issued before rows existed.
 *
 * The device is a coarse label from the user agent; no IP address is kept
 * here (the security log of addresses is auth_events).
 */
import { and, desc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { userSessions, users } from "@/lib/db/schema";
import { isUuid, notFound } from "@/lib/errors";
import type { SessionEndReason } from "@/lib/vocabulary";
import { SESSION_MAX_AGE_SECONDS } from "./config";

/** last_seen_at is written at most this often per session, not on every request. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//, "curl"],
];
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, "iOS"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** "Firefox on macOS": enough to tell one's own devices apart, not enough to fingerprint anyone. */
export function deviceLabel(userAgent: string | null | undefined): string {
  const ua = userAgent ?? "";
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `A browser on ${system}` : "Unknown device");
}

export async function startSession(db: Tx, userId: string, userAgent: string | null | undefined, now = new Date()): Promise<string> {
  const [row] = await db
    .insert(userSessions)
    .values({ userId, device: deviceLabel(userAgent), createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000) })
    .returning({ id: userSessions.id });
  return row.id;
}

/** Whether the user's session is open; writes last_seen_at when it is older than a few minutes. */
export async function isSessionOpen(db: Tx, userId: string, sessionId: string, now = new Date()): Promise<boolean> {
  if (!isUuid(sessionId)) return false;
  const [row] = await db
    .select({ lastSeenAt: userSessions.lastSeenAt })
    .from(userSessions)
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId), isNull(userSessions.endedAt), gt(userSessions.expiresAt, now)));
  if (!row) return false;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db
      .update(userSessions)
      .set({ lastSeenAt: now })
      .where(and(eq(userSessions.id, sessionId), lt(userSessions.lastSeenAt, new Date(now.getTime() - TOUCH_EVERY_MS))));
  }
  return true;
}

/** Why a session ended, for telling the device that was signed out; null while open or unknown. */
export async function sessionEndReason(db: Tx, sessionId: string): Promise<SessionEndReason | null> {
  if (!isUuid(sessionId)) return null;
  const [row] = await db.select({ reason: userSessions.endReason }).from(userSessions).where(eq(userSessions.id, sessionId));
  return row?.reason ?? null;
}

export type OpenSession = { id: string; device: string; createdAt: Date; lastSeenAt: Date; expiresAt: Date };

/** The user's open sessions, newest first. */
export async function listOpenSessions(db: Tx, userId: string, now = new Date()): Promise<OpenSession[]> {
  return db
    .select({
      id: userSessions.id,
      device: userSessions.device,
      createdAt: userSessions.createdAt,
      lastSeenAt: userSessions.lastSeenAt,
      expiresAt: userSessions.expiresAt,
    })
    .from(userSessions)
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.endedAt), gt(userSessions.expiresAt, now)))
    .orderBy(desc(userSessions.lastSeenAt));
}

/**
 * Ends one of the user's own sessions. Another user's session id, or one
 * already ended, is "not found": ids are not confirmed across accounts.
 */
export async function endSession(db: Tx, userId: string, sessionId: string, reason: SessionEndReason, now = new Date()): Promise<void> {
  const ended = isUuid(sessionId)
    ? await db
        .update(userSessions)
        .set({ endedAt: now, endReason: reason })
        .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId), isNull(userSessions.endedAt)))
        .returning({ id: userSessions.id })
    : [];
  if (ended.length === 0) throw notFound("That session is not open (it may have ended already)");
}

/** Ends every session of the user, on every device, at their next request. */
export async function endAllSessions(db: Tx, userId: string, reason: SessionEndReason, now = new Date()): Promise<number> {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
  const ended = await db
    .update(userSessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.endedAt)))
    .returning({ id: userSessions.id });
  return ended.length;
}
