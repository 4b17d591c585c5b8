/**
 * Sign-in sessions per device: one ends on its own while the others go on;
 * sign out on all devices ends them all; another user's session id is not
 * found; an expired row does not count.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { loadUserPrincipal } from "@/lib/auth/load-principal";
import { deviceLabel, endAllSessions, endSession, isSessionOpen, listOpenSessions, sessionEndReason, startSession } from "@/lib/auth/sessions";
import { AppError } from "@/lib/errors";
import { users, userSessions } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
let n = 0;

beforeAll(async () => {
  await seedDemoWorld(db.handle().db, { usage: false });
});

async function freshUser(): Promise<{ id: string; sessionVersion: number }> {
  const [u] = await db
    .handle()
    .db.insert(users)
    .values({ email: `sessions${++n}-${Date.now()}@example.com`, name: "Session User" })
    .returning({ id: users.id, sessionVersion: users.sessionVersion });
  return u;
}

const principalFor = (userId: string, sessionVersion: number, sessionId: string) =>
  loadUserPrincipal(db.handle().db, userId, null, { sessionVersion, sessionId });

describe("sign-in sessions", () => {
  it("ends one device's session while the user's other session goes on, and says why", async () => {
    const d = db.handle().db;
    const u = await freshUser();
    const laptop = await startSession(
      d,
      u.id,
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
    );
    const phone = await startSession(d, u.id, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36");
    expect((await listOpenSessions(d, u.id)).map((s) => s.device).sort()).toEqual(["Chrome on Android", "Safari on macOS"]);

    await endSession(d, u.id, phone, "ended_elsewhere");
    expect(await principalFor(u.id, u.sessionVersion, phone)).toBeNull();
    expect((await principalFor(u.id, u.sessionVersion, laptop))?.sessionId).toBe(laptop);
    expect(await sessionEndReason(d, phone)).toBe("ended_elsewhere");
    expect(await sessionEndReason(d, laptop)).toBeNull();
    expect((await listOpenSessions(d, u.id)).map((s) => s.id)).toEqual([laptop]);
  });

  it("refuses to end another user's session, or one already ended, as not found", async () => {
    const d = db.handle().db;
    const victim = await freshUser();
    const attacker = await freshUser();
    const theirs = await startSession(d, victim.id, "curl/8.0");
    const err = await endSession(d, attacker.id, theirs, "ended_elsewhere").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("not_found");
    expect(await isSessionOpen(d, victim.id, theirs)).toBe(true);
    // Nor does a token of the attacker's that names the victim's session count as a session of either.
    expect(await principalFor(attacker.id, attacker.sessionVersion, theirs)).toBeNull();

    await endSession(d, victim.id, theirs, "signed_out");
    const again = await endSession(d, victim.id, theirs, "ended_elsewhere").catch((e: unknown) => e);
    expect((again as AppError).code).toBe("not_found");
    expect(await sessionEndReason(d, theirs)).toBe("signed_out");
    const malformed = await endSession(d, victim.id, "not-a-uuid", "signed_out").catch((e: unknown) => e);
    expect((malformed as AppError).code).toBe("not_found");
  });

  it("signs out on all devices: every row ends with the reason and the session version moves on", async () => {
    const d = db.handle().db;
    const u = await freshUser();
    const a = await startSession(d, u.id, null);
    const b = await startSession(d, u.id, null);
    expect(await endAllSessions(d, u.id, "signed_out_everywhere")).toBe(2);
    expect(await principalFor(u.id, u.sessionVersion, a)).toBeNull();
    expect(await sessionEndReason(d, b)).toBe("signed_out_everywhere");
    const [after] = await d.select({ v: users.sessionVersion }).from(users).where(eq(users.id, u.id));
    expect(after.v).toBe(u.sessionVersion + 1);
    // A new sign-in after it counts again.
    const c = await startSession(d, u.id, null);
    expect(await principalFor(u.id, after.v, c)).not.toBeNull();
  });

  it("does not count an expired session, and touches last_seen_at only now and then", async () => {
    const d = db.handle().db;
    const u = await freshUser();
    const old = await startSession(d, u.id, null, new Date(Date.now() - 13 * 3600_000));
    expect(await isSessionOpen(d, u.id, old)).toBe(false);
    const s = await startSession(d, u.id, null, new Date(Date.now() - 10 * 60_000));
    expect(await isSessionOpen(d, u.id, s)).toBe(true);
    const [row] = await d.select({ seen: userSessions.lastSeenAt }).from(userSessions).where(eq(userSessions.id, s));
    expect(Date.now() - row.seen.getTime()).toBeLessThan(60_000);
  });

  it("labels devices coarsely", () => {
    expect(deviceLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36 Edg/125.0")).toBe(
      "Edge on Windows",
    );
    expect(deviceLabel("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe("Firefox on Linux");
    expect(deviceLabel("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1")).toBe(
      "Safari on iOS",
    );
    expect(deviceLabel(undefined)).toBe("Unknown device");
  });
});
