/**
 * "Forgot password?": a reset link by email, through the outbox.
 *
 * - No account enumeration: every request gets the same answer, whether the
 *   address has an account or not; only an existing, enabled account with a
 *   password gets mail.
 * - Throttled by the sign-in throttle (lib/auth/throttle.ts) over
 *   `reset_requested` events: 5 per account and address, 20 per address, in
 *   15 minutes. Unknown addresses count too, so the throttle says nothing
 *   about who exists.
 * - The link is single use and expires after an hour; a new request
 *   replaces the user's live one. Only the token's SHA-256 is stored.
 * - A new password ends every session of the user on every device
 *   (endAllSessions, reason `password_changed`).
 */
import crypto from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/lib/db";
import { passwordResets, users } from "@/lib/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { endAllSessions } from "@/lib/auth/sessions";
import { checkSignInThrottle, recordAuthEvent } from "@/lib/auth/throttle";
import { AppError, parseInput } from "@/lib/errors";
import { env } from "@/lib/env";
import { enqueueEmail, messageIdFor } from "@/lib/notify/outbox";
import { escapeHtml } from "@/lib/notify/compose";
import { formatDuration } from "@/lib/intl";

export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

export const ForgotPasswordSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "Enter a valid email address" }))
    .pipe(z.string().max(254, "At most 254 characters")),
});

export const ResetPasswordSchema = z.object({
  token: z.string().min(1, "This reset link is invalid").max(200, "This reset link is invalid"),
  password: z.string().min(12, "At least 12 characters").max(1024, "Password is too long"),
});

/** The one answer to every request, known address or not. */
export const RESET_REQUESTED_MESSAGE =
  "If an account exists for that address, we have sent it a link to choose a new password. The link works once, for 1 hour. Check your inbox and spam folder.";

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

export function composeResetEmail(input: { name: string; link: string; supportEmail: string }) {
  const ttl = formatDuration(PASSWORD_RESET_TTL_MS / 1000);
  const text = [
    `Hello ${input.name},`,
    "",
    "Someone (we hope you) asked to reset the password of your ZDR Console account.",
    "",
    `Choose a new password: ${input.link}`,
    "",
    `The link works once and expires in ${ttl}. Choosing a new password signs you out on every device.`,
    `If you did not ask for this, ignore this email: your password stays as it is. Questions: ${input.supportEmail}.`,
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<p>Hello ${escapeHtml(input.name)},</p>
<p>Someone (we hope you) asked to reset the password of your ZDR Console account.</p>
<p><a href="${escapeHtml(input.link)}">Choose a new password</a></p>
<p>The link works once and expires in ${escapeHtml(ttl)}. Choosing a new password signs you out on every device.</p>
<p>If you did not ask for this, ignore this email: your password stays as it is. Questions: <a href="mailto:${escapeHtml(input.supportEmail)}">${escapeHtml(input.supportEmail)}</a>.</p>
</body></html>`;
  return { subject: "[ZDR Console] Reset your password", text, html };
}

/** Always resolves to the same message for a valid address; mail goes out only to an account that can sign in with a password. */
export async function requestPasswordReset(raw: { email: string; ip: string }, db: Db = getDb()): Promise<{ message: string; token?: string }> {
  const { email } = parseInput(ForgotPasswordSchema, { email: raw.email });
  const verdict = await checkSignInThrottle(db, { email, ip: raw.ip, kind: "reset_requested" });
  if (!verdict.allowed) {
    throw new AppError("rate_limited", `Too many reset requests from this address. Try again in ${formatDuration(verdict.retryAfterSeconds)}.`, {
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }
  const token = crypto.randomBytes(32).toString("base64url");
  const sent = await db.transaction(async (tx) => {
    await recordAuthEvent(tx, { kind: "reset_requested", email, ip: raw.ip });
    const [user] = await tx
      .select({ id: users.id, name: users.name, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.email, email));
    if (!user || user.disabledAt || !user.passwordHash) return false;
    // One live link per user: a new request replaces the one before.
    await tx.delete(passwordResets).where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt)));
    const [row] = await tx
      .insert(passwordResets)
      .values({ userId: user.id, tokenHash: sha256(token), expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MS) })
      .returning({ id: passwordResets.id });
    const e = env();
    const mail = composeResetEmail({ name: user.name, link: `${e.APP_URL}/reset-password/${token}`, supportEmail: e.SUPPORT_EMAIL });
    await enqueueEmail(tx, {
      to: email,
      orgId: "",
      recipientUserId: user.id,
      ...mail,
      messageId: messageIdFor(`reset-${row.id}`, user.id, e.APP_URL, "account"),
    });
    return true;
  });
  return { message: RESET_REQUESTED_MESSAGE, ...(sent ? { token } : {}) };
}

/** Whether a reset link can still be used (the page shows the form or says why not); nothing is spent. */
export async function findPasswordReset(token: string, db: Db = getDb()): Promise<{ email: string } | null> {
  if (!token || token.length > 200) return null;
  const [row] = await db
    .select({ email: users.email })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(and(eq(passwordResets.tokenHash, sha256(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, new Date()), isNull(users.disabledAt)));
  return row ?? null;
}

/** Sets the new password once per link, and ends every session of the user on every device. */
export async function resetPassword(raw: { token: string; password: string; ip: string }, db: Db = getDb()): Promise<{ userId: string; email: string }> {
  const input = parseInput(ResetPasswordSchema, { token: raw.token, password: raw.password });
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    // The row lock makes "used once" hold under two simultaneous submits.
    const [row] = await tx
      .select({ id: passwordResets.id, userId: passwordResets.userId, usedAt: passwordResets.usedAt, expiresAt: passwordResets.expiresAt })
      .from(passwordResets)
      .where(eq(passwordResets.tokenHash, sha256(input.token)))
      .for("update");
    if (!row || row.usedAt || row.expiresAt <= new Date()) {
      throw new AppError("not_found", "This reset link is invalid, used or expired. Ask for a new one on the sign-in page.");
    }
    const [user] = await tx
      .update(users)
      .set({ passwordHash })
      .where(and(eq(users.id, row.userId), isNull(users.disabledAt)))
      .returning({ id: users.id, email: users.email });
    if (!user) throw new AppError("not_found", "This reset link is invalid, used or expired. Ask for a new one on the sign-in page.");
    await endAllSessions(tx, user.id, "password_changed");
    await tx.update(passwordResets).set({ usedAt: new Date() }).where(eq(passwordResets.userId, row.userId));
    await recordAuthEvent(tx, { kind: "password_reset", email: user.email, userId: user.id, ip: raw.ip });
    return { userId: user.id, email: user.email };
  });
}
