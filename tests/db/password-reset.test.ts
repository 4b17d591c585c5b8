import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { findPasswordReset, requestPasswordReset, resetPassword, RESET_REQUESTED_MESSAGE } from "@/lib/accounts/password-reset";
import { authenticate } from "@/lib/auth/credentials";
import { hashPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { authEvents, outbox, passwordResets, users } from "@/lib/db/schema";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const OLD = "the-old-password-1";
const NEW = "the-new-password-2";

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    return err instanceof AppError ? err.code : `other: ${(err as Error).message}`;
  }
}

async function person(label: string) {
  const email = `${label}-${Math.random().toString(36).slice(2)}@reset.example`;
  const [u] = await db
    .handle()
    .db.insert(users)
    .values({ email, name: "Rita Reset", passwordHash: await hashPassword(OLD) })
    .returning({ id: users.id, sessionVersion: users.sessionVersion });
  return { email, id: u.id, sessionVersion: u.sessionVersion };
}

const mailTo = async (email: string) => (await db.handle().db.select().from(outbox)).filter((m) => (m.payload as { to?: string }).to === email);

beforeAll(async () => {
  await db.handle().db.execute(sql`select 1`);
});

describe(`password reset on ${testDbKind}`, () => {
  it("an unknown address gets the same answer as a known one, and no mail", async () => {
    const d = db.handle().db;
    const known = await person("known");
    const unknown = `nobody-${Math.random()}@reset.example`;
    const a = await requestPasswordReset({ email: known.email, ip: "198.51.100.1" }, d);
    const b = await requestPasswordReset({ email: unknown, ip: "198.51.100.1" }, d);
    expect(a.message).toBe(RESET_REQUESTED_MESSAGE);
    expect(b.message).toBe(a.message);
    expect(b.token).toBeUndefined();
    expect(await mailTo(unknown)).toHaveLength(0);
    const [mail] = await mailTo(known.email);
    const text = (mail.payload as { text: string }).text;
    expect(text).toContain(`/reset-password/${a.token}`);
    expect(text).toContain("expires in 1 hour");
    // Only the hash is stored.
    const rows = await d.select().from(passwordResets).where(eq(passwordResets.userId, known.id));
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).not.toContain(a.token!);
  });

  it("the link works once, sets the password and ends every session", async () => {
    const d = db.handle().db;
    const p = await person("once");
    const { token } = await requestPasswordReset({ email: p.email, ip: "198.51.100.2" }, d);
    expect(await findPasswordReset(token!, d)).toEqual({ email: p.email });
    await resetPassword({ token: token!, password: NEW, ip: "198.51.100.2" }, d);
    const [after] = await d.select({ sv: users.sessionVersion }).from(users).where(eq(users.id, p.id));
    expect(after.sv).toBe(p.sessionVersion + 1);
    expect((await authenticate({ email: p.email, password: OLD, ip: "198.51.100.2" }, d)).ok).toBe(false);
    expect((await authenticate({ email: p.email, password: NEW, ip: "198.51.100.2" }, d)).ok).toBe(true);
    expect(await findPasswordReset(token!, d)).toBeNull();
    expect(await codeOf(resetPassword({ token: token!, password: "yet-another-password", ip: "198.51.100.2" }, d))).toBe("not_found");
    const kinds = (await d.select({ kind: authEvents.kind }).from(authEvents).where(eq(authEvents.userId, p.id))).map((r) => r.kind);
    expect(kinds).toContain("password_reset");
  });

  it("a new request replaces the live link; an expired link is refused", async () => {
    const d = db.handle().db;
    const p = await person("replace");
    const first = await requestPasswordReset({ email: p.email, ip: "198.51.100.3" }, d);
    const second = await requestPasswordReset({ email: p.email, ip: "198.51.100.3" }, d);
    expect(await codeOf(resetPassword({ token: first.token!, password: NEW, ip: "x" }, d))).toBe("not_found");
    await d
      .update(passwordResets)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(passwordResets.userId, p.id));
    expect(await findPasswordReset(second.token!, d)).toBeNull();
    expect(await codeOf(resetPassword({ token: second.token!, password: NEW, ip: "x" }, d))).toBe("not_found");
    expect((await authenticate({ email: p.email, password: OLD, ip: "198.51.100.3" }, d)).ok).toBe(true);
  });

  it("a short password is refused naming the field, and the link stays usable", async () => {
    const d = db.handle().db;
    const p = await person("short");
    const { token } = await requestPasswordReset({ email: p.email, ip: "198.51.100.4" }, d);
    const err = await resetPassword({ token: token!, password: "short", ip: "x" }, d).catch((e: AppError) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details?.fields).toEqual(["password"]);
    expect(await findPasswordReset(token!, d)).not.toBeNull();
  });

  it("throttled by the sign-in throttle, the same for known and unknown addresses", async () => {
    const d = db.handle().db;
    const p = await person("throttle");
    const unknown = `ghost-${Math.random()}@reset.example`;
    for (let i = 0; i < 5; i++) {
      await requestPasswordReset({ email: p.email, ip: "198.51.100.5" }, d);
      await requestPasswordReset({ email: unknown, ip: "198.51.100.5" }, d);
    }
    expect(await codeOf(requestPasswordReset({ email: p.email, ip: "198.51.100.5" }, d))).toBe("rate_limited");
    expect(await codeOf(requestPasswordReset({ email: unknown, ip: "198.51.100.5" }, d))).toBe("rate_limited");
    expect(await mailTo(p.email)).toHaveLength(5);
    // Another address is not locked out by this one.
    expect(await codeOf(requestPasswordReset({ email: p.email, ip: "198.51.100.6" }, d))).toBeNull();
  });
});
