"use server";
/**
 * Session actions, through the one action wrapper. Server actions already
 * refuse a foreign Origin; the proxy refuses a missing one.
 */
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { action } from "./action";
import { getDb } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { signOut } from "@/lib/auth/index";
import { recordAuthEvent } from "@/lib/auth/throttle";

const Nothing = z.object({});

export const signOutAction = action({ operation: null, who: "anyone", schema: Nothing }, async ({ actor }) => {
  if (actor) await recordAuthEvent(getDb(), { kind: "sign_out", email: actor.email, userId: actor.userId });
  await signOut({ redirectTo: "/login" });
  return { message: "Signed out." };
});

/** Ends every session of the user, on every device, at their next request. */
export const signOutEverywhereAction = action({ operation: null, who: "anyone", schema: Nothing }, async ({ actor }) => {
  if (actor) {
    await getDb()
      .update(users)
      .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, actor.userId));
    await recordAuthEvent(getDb(), { kind: "sign_out_everywhere", email: actor.email, userId: actor.userId });
  }
  await signOut({ redirectTo: "/login" });
  return { message: "Signed out on all devices." };
});
