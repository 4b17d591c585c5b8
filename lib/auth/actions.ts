"use server";
/**
 * Session actions. Server actions already refuse a foreign Origin; the proxy
 * refuses a missing one.
 */
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { signOut } from "./index";
import { getCurrentUser } from "./session";
import { recordAuthEvent } from "./throttle";

export async function signOutAction(): Promise<void> {
  const user = await getCurrentUser();
  if (user) await recordAuthEvent(getDb(), { kind: "sign_out", email: user.email, userId: user.userId });
  await signOut({ redirectTo: "/login" });
}

/** Ends every session of the user, on every device, at their next request. */
export async function signOutEverywhereAction(): Promise<void> {
  const user = await getCurrentUser();
  if (user) {
    await getDb().update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, user.userId));
    await recordAuthEvent(getDb(), { kind: "sign_out_everywhere", email: user.email, userId: user.userId });
  }
  await signOut({ redirectTo: "/login" });
}
