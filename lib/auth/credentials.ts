/**
 * Email and password sign-in: throttled, timing-safe, logged. The only path
 * to a session; Auth.js's Credentials provider calls it from authorize().
 * An account with two-factor sign-in needs its code (or a recovery code) in
 * the same call: the password alone answers `second_factor_required`, and a
 * wrong code is a failure the throttle counts like a wrong password.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Tx } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { dummyPasswordHash, verifyPassword } from "./password";
import { checkSignInThrottle, recordAuthEvent } from "./throttle";
import { isTwoFactorEnrolled, verifySecondFactor } from "./two-factor";
import { ssoForEmail } from "./sso-domains";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/client-address";

export const SignInSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "Enter a valid email address" }))
    .pipe(z.string().max(254)),
  password: z.string().min(1, "Enter your password").max(1024, "Password is too long"),
  /** The second factor: a TOTP code or a recovery code; absent or empty on the first step. */
  code: z
    .string()
    .max(64, "That code is too long")
    .optional()
    .transform((c) => (c && c.trim() ? c.trim() : undefined)),
});

export type SignInResult =
  | { ok: true; userId: string; sessionVersion: number }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "second_factor_required" }
  | { ok: false; reason: "invalid_code" }
  | { ok: false; reason: "sso_required" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

export async function authenticate(input: { email: string; password: string; code?: string; ip: string }, db: Tx = getDb()): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const verdict = await checkSignInThrottle(db, { email, ip: input.ip });
  if (!verdict.allowed) {
    await recordAuthEvent(db, { kind: "lockout", email, ip: input.ip });
    return { ok: false, reason: "rate_limited", retryAfterSeconds: verdict.retryAfterSeconds };
  }
  // An org that enforces single sign-on vouches for its domains itself: no password is checked for them.
  if ((await ssoForEmail(db, email))?.enforced) return { ok: false, reason: "sso_required" };
  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, disabledAt: users.disabledAt, sessionVersion: users.sessionVersion })
    .from(users)
    .where(eq(users.email, email));
  // Verify against a dummy hash for unknown users so the answer takes as long.
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !user.passwordHash || !valid || user.disabledAt) {
    await recordAuthEvent(db, { kind: "failure", email, userId: user?.id ?? null, ip: input.ip });
    return { ok: false, reason: "invalid" };
  }
  if (await isTwoFactorEnrolled(db, user.id)) {
    if (!input.code) return { ok: false, reason: "second_factor_required" };
    if ((await verifySecondFactor(db, user.id, input.code)) !== "ok") {
      await recordAuthEvent(db, { kind: "failure", email, userId: user.id, ip: input.ip });
      return { ok: false, reason: "invalid_code" };
    }
  }
  await recordAuthEvent(db, { kind: "sign_in", email, userId: user.id, ip: input.ip });
  return { ok: true, userId: user.id, sessionVersion: user.sessionVersion };
}

/**
 * The client address that server.ts resolved from the socket and TRUST_PROXY
 * (lib/http/client-address.ts); never a forgeable X-Forwarded-For. Without
 * server.ts (`next dev`) it is unknown, and throttling counts by account.
 */
export function clientAddress(headers: Headers): string {
  return headers.get(CLIENT_ADDRESS_HEADER)?.slice(0, 64) || "unknown";
}
