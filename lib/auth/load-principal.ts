/** Builds a user's principal from the database: memberships, support role, active org. */
import { asc, eq } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { memberships, organizations, supportStaff, users, userTotp } from "@/lib/db/schema";
import type { UserPrincipal } from "./principal";
import { isSessionOpen } from "./sessions";

/**
 * Null when the user is gone or disabled, or for a session (`sessionVersion`
 * and `sessionId` given) that was revoked: the version no longer matches, or
 * the device's session row is ended or expired.
 */
export async function loadUserPrincipal(
  db: Tx,
  userId: string,
  activeOrgId?: string | null,
  options: { sessionVersion?: number; sessionId?: string } = {},
): Promise<UserPrincipal | null> {
  // The device's session row is read beside the user, not after it: one wait per request on this hot path, not two.
  const userRead = db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      disabledAt: users.disabledAt,
      sessionVersion: users.sessionVersion,
      support: supportStaff.userId,
      totpConfirmedAt: userTotp.confirmedAt,
    })
    .from(users)
    .leftJoin(supportStaff, eq(supportStaff.userId, users.id))
    .leftJoin(userTotp, eq(userTotp.userId, users.id))
    .where(eq(users.id, userId));
  const sessionRead = options.sessionId === undefined ? Promise.resolve(true) : isSessionOpen(db, userId, options.sessionId);
  const [[user], sessionOpen] = await Promise.all([userRead, sessionRead]);
  if (!user || user.disabledAt) return null;
  if (options.sessionVersion !== undefined && options.sessionVersion !== user.sessionVersion) return null;
  if (!sessionOpen) return null;
  const ms = await db
    .select({ orgId: memberships.orgId, orgName: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organizations.name));
  const active = ms.find((m) => m.orgId === activeOrgId) ?? ms[0] ?? null;
  return {
    kind: "user",
    userId: user.id,
    email: user.email,
    name: user.name,
    isSupport: user.support !== null,
    ...(user.support !== null && !user.totpConfirmedAt ? { mustEnrolTwoFactor: true } : {}),
    orgId: active?.orgId ?? null,
    role: active?.role ?? null,
    memberships: ms,
    ...(options.sessionId !== undefined ? { sessionId: options.sessionId } : {}),
  };
}

export async function loadUserPrincipalByEmail(db: Tx, email: string): Promise<UserPrincipal | null> {
  const [u] = await db.select({ id: users.id }).from(users).where(eq(users.email, email.trim().toLowerCase()));
  return u ? loadUserPrincipal(db, u.id) : null;
}
