import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import * as OTPAuth from "otpauth";
import { authenticate } from "@/lib/auth/credentials";
import { loadUserPrincipal, loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { authorize, isAllowed } from "@/lib/auth/permissions";
import { confirmTwoFactorEnrolment, currentTotpCode, disableTwoFactor, startTwoFactorEnrolment, twoFactorStatus } from "@/lib/auth/two-factor";
import { hashPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { authEvents, recoveryCodes, supportStaff, users, userTotp } from "@/lib/db/schema";
import { DEMO_PASSWORD, DEMO_SUPPORT_TOTP_SECRET, seedDemoWorld } from "@/lib/demo/seed";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const SUPPORT = "support@provider.example";
const STEP_MS = 30_000;

beforeAll(async () => {
  await seedDemoWorld(db.handle().db, { usage: false });
});

let n = 0;
async function freshSupportUser(): Promise<{ id: string; email: string }> {
  const d = db.handle().db;
  const email = `staff${++n}-${Date.now()}@provider.example`;
  const [u] = await d
    .insert(users)
    .values({ email, name: "New Staff", passwordHash: await hashPassword(DEMO_PASSWORD) })
    .returning({ id: users.id });
  await d.insert(supportStaff).values({ userId: u.id });
  return { id: u.id, email };
}

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    return err instanceof AppError ? err.code : `other: ${(err as Error).message}`;
  }
}

describe(`two-factor sign-in on ${testDbKind}`, () => {
  it("the demo support user needs the TOTP code of the published seed after the password, and a code works once", async () => {
    const d = db.handle().db;
    const ip = "198.51.100.20";
    expect(await authenticate({ email: SUPPORT, password: DEMO_PASSWORD, ip }, d)).toEqual({ ok: false, reason: "second_factor_required" });
    // The password alone opened nothing: no sign-in was logged.
    const events = await d.select().from(authEvents).where(eq(authEvents.ip, ip));
    expect(events.map((e) => e.kind)).toEqual([]);

    // An independent implementation of RFC 6238 over the published seed gives the code that opens the account.
    const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(DEMO_SUPPORT_TOTP_SECRET) }).generate();
    expect(await authenticate({ email: SUPPORT, password: DEMO_PASSWORD, code, ip }, d)).toMatchObject({ ok: true });
    // The same code replayed (RFC 6238, 5.2) is refused.
    expect(await authenticate({ email: SUPPORT, password: DEMO_PASSWORD, code, ip }, d)).toEqual({ ok: false, reason: "invalid_code" });
    // A wrong code with the right password is refused, and logged as a failure.
    expect(await authenticate({ email: SUPPORT, password: DEMO_PASSWORD, code: code === "000000" ? "111111" : "000000", ip }, d)).toEqual({
      ok: false,
      reason: "invalid_code",
    });
    // A wrong password with a right code of the next step is still only "invalid" (the code is never looked at).
    const next = currentTotpCode(DEMO_SUPPORT_TOTP_SECRET, new Date(Date.now() + STEP_MS));
    expect(await authenticate({ email: SUPPORT, password: "wrong-password", code: next, ip }, d)).toEqual({ ok: false, reason: "invalid" });
    const kinds = (await d.select().from(authEvents).where(eq(authEvents.ip, ip))).map((e) => e.kind);
    expect(kinds).toEqual(["sign_in", "failure", "failure", "failure"]);
  });

  it("the throttle covers the second factor: after 5 wrong codes the right code is refused too, from that address only", async () => {
    const d = db.handle().db;
    const staff = await freshSupportUser();
    const actor = (await loadUserPrincipal(d, staff.id))!;
    const { secret } = await startTwoFactorEnrolment(actor, d);
    await confirmTwoFactorEnrolment(actor, { code: currentTotpCode(secret) }, d);
    const attacker = "203.0.113.50";
    for (let i = 0; i < 5; i++) {
      expect(await authenticate({ email: staff.email, password: DEMO_PASSWORD, code: String(100000 + i), ip: attacker }, d)).toMatchObject({ ok: false });
    }
    const later = new Date(Date.now() + STEP_MS);
    const sixth = await authenticate({ email: staff.email, password: DEMO_PASSWORD, code: currentTotpCode(secret, later), ip: attacker }, d);
    expect(sixth).toMatchObject({ ok: false, reason: "rate_limited" });
    const owner = await authenticate({ email: staff.email, password: DEMO_PASSWORD, code: currentTotpCode(secret, later), ip: "192.0.2.60" }, d);
    expect(owner).toMatchObject({ ok: true });
  });

  it("support staff without a second factor are shut out of the console until they enrol; enrolment stores a sealed seed and hashed recovery codes", async () => {
    const d = db.handle().db;
    const staff = await freshSupportUser();
    const before = (await loadUserPrincipal(d, staff.id))!;
    expect(before.mustEnrolTwoFactor).toBe(true);
    for (const op of ["support.read", "retention.enable", "tokens.manage", "removal.review"] as const) expect(isAllowed(before, op), op).toBe(false);
    expect(isAllowed(before, "account.twoFactor.manage")).toBe(true);
    // Password alone signs in (so the person can reach the enrolment page), and the principal still says "enrol first".
    expect(await authenticate({ email: staff.email, password: DEMO_PASSWORD, ip: "192.0.2.61" }, d)).toMatchObject({ ok: true });

    expect(await codeOf(confirmTwoFactorEnrolment(before, { code: "123456" }, d))).toBe("conflict");
    const start = await startTwoFactorEnrolment(before, d);
    expect(start.otpauthUri).toMatch(/^otpauth:\/\/totp\/ZDR%20Console:.+\?.*secret=[A-Z2-7]+/);
    expect(start.qrSvg).toContain("<svg");
    const [pending] = await d.select().from(userTotp).where(eq(userTotp.userId, staff.id));
    expect(pending.confirmedAt).toBeNull();
    expect(pending.secretSealed).not.toContain(start.secret);
    // Still shut while pending.
    expect(isAllowed((await loadUserPrincipal(d, staff.id))!, "support.read")).toBe(false);

    const wrong = currentTotpCode(start.secret) === "000000" ? "111111" : "000000";
    expect(await codeOf(confirmTwoFactorEnrolment(before, { code: wrong }, d))).toBe("invalid");
    const { recoveryCodes: codes } = await confirmTwoFactorEnrolment(before, { code: currentTotpCode(start.secret) }, d);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    const stored = await d.select().from(recoveryCodes).where(eq(recoveryCodes.userId, staff.id));
    expect(stored).toHaveLength(10);
    const dump = JSON.stringify(stored);
    for (const c of codes) expect(dump).not.toContain(c.replace("-", ""));

    const after = (await loadUserPrincipal(d, staff.id))!;
    expect(after.mustEnrolTwoFactor).toBeUndefined();
    authorize(after, "support.read");
    expect(await codeOf(startTwoFactorEnrolment(after, d))).toBe("conflict");
    expect(await twoFactorStatus(d, staff.id)).toEqual({ enrolled: true, pending: false, recoveryCodesLeft: 10 });
    // Support staff may not turn it off.
    expect(await codeOf(disableTwoFactor(after, { code: currentTotpCode(start.secret, new Date(Date.now() + STEP_MS)) }, d))).toBe("forbidden");
  });

  it("a recovery code signs in once (any case, with or without the dash), then never again", async () => {
    const d = db.handle().db;
    const staff = await freshSupportUser();
    const actor = (await loadUserPrincipal(d, staff.id))!;
    const { secret } = await startTwoFactorEnrolment(actor, d);
    const { recoveryCodes: codes } = await confirmTwoFactorEnrolment(actor, { code: currentTotpCode(secret) }, d);
    const ip = "192.0.2.70";
    expect(await authenticate({ email: staff.email, password: DEMO_PASSWORD, code: codes[0].toUpperCase().replace("-", " "), ip }, d)).toMatchObject({
      ok: true,
    });
    expect(await authenticate({ email: staff.email, password: DEMO_PASSWORD, code: codes[0], ip }, d)).toEqual({ ok: false, reason: "invalid_code" });
    expect(await authenticate({ email: staff.email, password: DEMO_PASSWORD, code: codes[1], ip }, d)).toMatchObject({ ok: true });
    // Another user's recovery code opens nothing.
    const other = await freshSupportUser();
    const o = (await loadUserPrincipal(d, other.id))!;
    const os = await startTwoFactorEnrolment(o, d);
    const oc = await confirmTwoFactorEnrolment(o, { code: currentTotpCode(os.secret) }, d);
    expect(await authenticate({ email: staff.email, password: DEMO_PASSWORD, code: oc.recoveryCodes[0], ip }, d)).toEqual({
      ok: false,
      reason: "invalid_code",
    });
    expect((await twoFactorStatus(d, staff.id)).recoveryCodesLeft).toBe(8);
  });

  it("customer admins may enrol and turn it off with a code; members may not; customer demo users have no second factor", async () => {
    const d = db.handle().db;
    expect(await authenticate({ email: "admin@northwind.example", password: DEMO_PASSWORD, ip: "192.0.2.80" }, d)).toMatchObject({ ok: true });
    const member = (await loadUserPrincipalByEmail(d, "member@northwind.example"))!;
    expect(await codeOf(startTwoFactorEnrolment(member, d))).toBe("forbidden");
    const admin = (await loadUserPrincipalByEmail(d, "owner@fabrikam.example"))!;
    expect(admin.mustEnrolTwoFactor).toBeUndefined();
    const { secret } = await startTwoFactorEnrolment(admin, d);
    await confirmTwoFactorEnrolment(admin, { code: currentTotpCode(secret) }, d);
    expect(await authenticate({ email: admin.email, password: DEMO_PASSWORD, ip: "192.0.2.81" }, d)).toEqual({ ok: false, reason: "second_factor_required" });
    expect(await codeOf(disableTwoFactor(admin, { code: "000001" }, d))).toBe("invalid");
    await disableTwoFactor(admin, { code: currentTotpCode(secret, new Date(Date.now() + STEP_MS)) }, d);
    expect(await twoFactorStatus(d, admin.userId)).toEqual({ enrolled: false, pending: false, recoveryCodesLeft: 0 });
    expect(await authenticate({ email: admin.email, password: DEMO_PASSWORD, ip: "192.0.2.81" }, d)).toMatchObject({ ok: true });
  });
});
