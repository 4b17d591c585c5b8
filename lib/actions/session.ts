"use server";
/**
 * Session actions, through the one action wrapper. Server actions already
 * refuse a foreign Origin; the proxy refuses a missing one.
 */
import { z } from "zod";
import { action } from "./action";
import { getDb } from "@/lib/db";
import { signOut } from "@/lib/auth/index";
import { endAllSessions, endSession } from "@/lib/auth/sessions";
import { recordAuthEvent } from "@/lib/auth/throttle";

const Nothing = z.object({});

export const signOutAction = action({ operation: null, who: "anyone", schema: Nothing }, async ({ actor }) => {
  if (actor) {
    if (actor.sessionId) await endSession(getDb(), actor.userId, actor.sessionId, "signed_out").catch(() => undefined);
    await recordAuthEvent(getDb(), { kind: "sign_out", email: actor.email, userId: actor.userId });
  }
  await signOut({ redirectTo: "/login" });
  return { message: "Signed out." };
});

/** Ends every session of the user, on every device, at their next request; the other devices are told why. */
export const signOutEverywhereAction = action({ operation: null, who: "anyone", schema: Nothing }, async ({ actor }) => {
  if (actor) {
    await endAllSessions(getDb(), actor.userId, "signed_out_everywhere");
    await recordAuthEvent(getDb(), { kind: "sign_out_everywhere", email: actor.email, userId: actor.userId });
  }
  await signOut({ redirectTo: "/login?ended=signed_out_everywhere" });
  return { message: "Signed out on all devices." };
});

const EndSessionForm = z.object({ sessionId: z.string().trim().min(1, "Choose a session") });

/** Signs one of the user's other devices out; that device is told why on its next request. */
export const endSessionAction = action({ operation: null, who: "user", schema: EndSessionForm, revalidate: "/account/sessions" }, async ({ actor, input }) => {
  await endSession(getDb(), actor.userId, input.sessionId, input.sessionId === actor.sessionId ? "signed_out" : "ended_elsewhere");
  await recordAuthEvent(getDb(), { kind: "session_ended", email: actor.email, userId: actor.userId });
  if (input.sessionId === actor.sessionId) await signOut({ redirectTo: "/login" });
  return { message: "That device is signed out. It is asked to sign in again on its next request." };
});
