"use server";
/**
 * Session actions. Server actions already refuse a foreign Origin; the proxy
 * refuses a missing one.
 */
import { eq, sql } from "drizzle-orm";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { signOut } from "./index";
import { ACTIVE_ORG_COOKIE, getCurrentUser } from "./session";
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

const SwitchOrg = z.object({ orgId: z.uuid() });

/** Makes another of the user's organizations the active one. Only their own. */
export async function switchOrganizationAction(formData: FormData): Promise<void> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  const parsed = SwitchOrg.safeParse({ orgId: formData.get("orgId") });
  if (!parsed.success || !user.memberships.some((m) => m.orgId === parsed.data.orgId)) redirect("/");
  (await cookies()).set(ACTIVE_ORG_COOKIE, parsed.data.orgId, { httpOnly: true, sameSite: "lax", path: "/", secure: process.env.NODE_ENV === "production" && (process.env.APP_URL ?? "").startsWith("https:") });
  redirect("/");
}
