/**
 * A browser session cookie made the way sign-in makes one (a user_sessions
 * row and the Auth.js JWT naming it), for tests that call the app over HTTP
 * as a signed-in user without going through the login form.
 */
import { encode } from "next-auth/jwt";
import { eq } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { startSession } from "@/lib/auth/sessions";

export async function sessionCookie(
  db: Tx,
  email: string,
  options: { maxAge?: number; secret?: string; sessionVersion?: number; sessionId?: string } = {},
): Promise<string> {
  const [u] = await db.select().from(users).where(eq(users.email, email));
  const sid = options.sessionId ?? (await startSession(db, u.id, "vitest"));
  const token = await encode({
    token: { uid: u.id, sv: options.sessionVersion ?? u.sessionVersion, sid, sub: u.id },
    secret: options.secret ?? env().AUTH_SECRET,
    salt: "authjs.session-token",
    maxAge: options.maxAge ?? 3600,
  });
  return `authjs.session-token=${token}`;
}
