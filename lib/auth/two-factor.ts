/**
 * Two-factor sign-in with TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, the
 * parameters every authenticator app reads from an otpauth:// URI). Required
 * for support staff (the console stays shut until they enrol, see
 * load-principal.ts), available to customer admins. Enrolment is two steps:
 * a pending seed shown as a QR code, then the first code confirms it and
 * hands out ten recovery codes, once; only their SHA-256 is kept. At sign-in
 * (credentials.ts) the code is the second step after the password, under
 * the same throttle.
 */
import crypto from "node:crypto";
import { and, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import QRCode from "qrcode";
import { z } from "zod";
import { getDb, type Tx } from "@/lib/db";
import { recoveryCodes, userTotp } from "@/lib/db/schema";
import { AppError, ValidationError } from "@/lib/errors";
import { derivedKey, seal, unseal } from "@/lib/sealed";
import { authorize } from "./permissions";
import type { UserPrincipal } from "./principal";

export const TOTP_ISSUER = "ZDR Console";
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side: a phone clock a little off still signs in. */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

const sealingKey = () => derivedKey("totp seeds v1");

function totp(secretBase32: string, label = "account"): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

/** The code an authenticator shows now (for tests and the demo's README; the server never needs it). */
export function currentTotpCode(secretBase32: string, at: Date = new Date()): string {
  return totp(secretBase32).generate({ timestamp: at.getTime() });
}

/** The 30-second step a code of `token` belongs to, or null when it is not a current code of the seed. */
function matchingStep(secretBase32: string, token: string, at: Date): number | null {
  const delta = totp(secretBase32).validate({ token, timestamp: at.getTime(), window: WINDOW });
  if (delta === null) return null;
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** A recovery code: 10 base32 characters (50 random bits) shown as `xxxxx-xxxxx`; compared without case, spaces or dashes. */
function newRecoveryCode(): string {
  const raw = new OTPAuth.Secret({ size: 7 }).base32.slice(0, 10).toLowerCase();
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}
const normaliseRecoveryCode = (code: string) => code.replace(/[\s-]/g, "").toLowerCase();
const hashRecoveryCode = (code: string) => crypto.createHash("sha256").update(normaliseRecoveryCode(code)).digest("hex");

export const TotpCodeSchema = z.object({
  code: z
    .string()
    .transform((s) => s.replace(/\s/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app")),
});

export type TwoFactorStatus = { enrolled: boolean; pending: boolean; recoveryCodesLeft: number };

export async function twoFactorStatus(db: Tx, userId: string): Promise<TwoFactorStatus> {
  const [row] = await db.select({ confirmedAt: userTotp.confirmedAt }).from(userTotp).where(eq(userTotp.userId, userId));
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return { enrolled: Boolean(row?.confirmedAt), pending: Boolean(row && !row.confirmedAt), recoveryCodesLeft: n };
}

export async function isTwoFactorEnrolled(db: Tx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ u: userTotp.userId })
    .from(userTotp)
    .where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt)));
  return Boolean(row);
}

/** The org a customer admin manages two-factor sign-in for (their own account; the org only names the role). */
function authorizeOwn(actor: UserPrincipal) {
  const adminOf = actor.memberships.find((m) => m.role === "admin")?.orgId ?? actor.orgId ?? undefined;
  authorize(actor, "account.twoFactor.manage", { orgId: adminOf });
}

/** The pending seed as text (to type in), as an otpauth:// URI, and as that URI's QR code (an SVG data URL for an <img>). */
export type EnrolmentStart = { secret: string; otpauthUri: string; qrSvg: string; qrDataUrl: string };

/** Step one: a new pending seed (replacing an earlier pending one). Refused while an authenticator is confirmed. */
export async function startTwoFactorEnrolment(actor: UserPrincipal, db: Tx = getDb()): Promise<EnrolmentStart> {
  authorizeOwn(actor);
  if (await isTwoFactorEnrolled(db, actor.userId)) throw new AppError("conflict", "Two-factor sign-in is already set up for this account");
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  const sealed = seal(secret, sealingKey());
  await db
    .insert(userTotp)
    .values({ userId: actor.userId, secretSealed: sealed })
    .onConflictDoUpdate({
      target: userTotp.userId,
      set: { secretSealed: sealed, lastUsedStep: null, createdAt: new Date() },
      setWhere: isNull(userTotp.confirmedAt),
    });
  const otpauthUri = totp(secret, actor.email).toString();
  const qrSvg = await QRCode.toString(otpauthUri, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return { secret, otpauthUri, qrSvg, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString("base64")}` };
}

/** Step two: the first code confirms the seed; the recovery codes are returned this once and stored hashed. */
export async function confirmTwoFactorEnrolment(
  actor: UserPrincipal,
  input: { code: string },
  db: Tx = getDb(),
  at: Date = new Date(),
): Promise<{ recoveryCodes: string[] }> {
  authorizeOwn(actor);
  const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, actor.userId));
  if (!row) throw new AppError("conflict", "Start the set-up first: no authenticator is waiting for a code");
  if (row.confirmedAt) throw new AppError("conflict", "Two-factor sign-in is already set up for this account");
  const step = matchingStep(unseal(row.secretSealed, sealingKey()), input.code, at);
  if (step === null)
    throw new ValidationError("That code does not match.", [
      { path: "code", problem: "That code does not match; enter the code your authenticator app shows now" },
    ]);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction(async (tx) => {
    const done = await tx
      .update(userTotp)
      .set({ confirmedAt: at, lastUsedStep: step })
      .where(and(eq(userTotp.userId, actor.userId), isNull(userTotp.confirmedAt), eq(userTotp.secretSealed, row.secretSealed)))
      .returning({ u: userTotp.userId });
    if (done.length === 0) throw new AppError("conflict", "The set-up changed in another window; start it again");
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, actor.userId));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId: actor.userId, codeHash: hashRecoveryCode(c) })));
  });
  return { recoveryCodes: codes };
}

/** A customer admin turns two-factor sign-in off with a current code; support staff cannot (it is required of them). */
export async function disableTwoFactor(actor: UserPrincipal, input: { code: string }, db: Tx = getDb(), at: Date = new Date()): Promise<void> {
  authorizeOwn(actor);
  if (actor.isSupport) throw new AppError("forbidden", "Support staff must keep two-factor sign-in");
  if (!(await isTwoFactorEnrolled(db, actor.userId))) throw new AppError("conflict", "Two-factor sign-in is not set up for this account");
  if ((await verifySecondFactor(db, actor.userId, input.code, at)) !== "ok") {
    throw new ValidationError("That code does not match.", [
      { path: "code", problem: "That code does not match; enter the code your authenticator app shows now" },
    ]);
  }
  await db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, actor.userId));
    await tx.delete(userTotp).where(eq(userTotp.userId, actor.userId));
  });
}

/**
 * The second step of sign-in: a current TOTP code not used before (its step
 * is recorded atomically, so a code replayed in the same 30 s fails), or an
 * unused recovery code, which is spent.
 */
export async function verifySecondFactor(db: Tx, userId: string, code: string, at: Date = new Date()): Promise<"ok" | "invalid"> {
  const token = code.replace(/\s/g, "");
  if (/^\d{6}$/.test(token)) {
    const [row] = await db
      .select()
      .from(userTotp)
      .where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt)));
    if (!row) return "invalid";
    const step = matchingStep(unseal(row.secretSealed, sealingKey()), token, at);
    if (step === null) return "invalid";
    const claimed = await db
      .update(userTotp)
      .set({ lastUsedStep: step })
      .where(and(eq(userTotp.userId, userId), or(isNull(userTotp.lastUsedStep), lt(userTotp.lastUsedStep, step))))
      .returning({ u: userTotp.userId });
    return claimed.length === 1 ? "ok" : "invalid";
  }
  if (normaliseRecoveryCode(token).length !== 10) return "invalid";
  const spent = await db
    .update(recoveryCodes)
    .set({ usedAt: at })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashRecoveryCode(token)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return spent.length === 1 ? "ok" : "invalid";
}

/** Enrols a user with a known seed, already confirmed (the demo world's support user; tests). */
export async function enrolWithKnownSecret(db: Tx, userId: string, secretBase32: string): Promise<void> {
  await db.insert(userTotp).values({ userId, secretSealed: seal(secretBase32, sealingKey()), confirmedAt: new Date() });
}
