/**
 * The signed-in user of the current request, for pages, layouts, route
 * handlers and server actions. A session counts only while the user exists,
 * is not disabled, and still has the session version it was issued with:
 * bumping the version (sign out everywhere, a role change, removal) ends
 * every session of the user on its next request.
 */
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { auth } from "./index";
import { loadUserPrincipal } from "./load-principal";
import { sessionEndReason } from "./sessions";
import { REQUEST_PATH_HEADER } from "@/lib/http/origin";
import type { OrgRole, UserPrincipal } from "./principal";

export type CustomerPrincipal = UserPrincipal & { orgId: string; role: OrgRole };

/** The cookie that remembers which of a user's organizations is active. */
export const ACTIVE_ORG_COOKIE = "zdr-org";

type SessionClaims = { uid?: string; sv?: number; sid?: string } | null;

const sessionClaims = cache(async (): Promise<SessionClaims> => (await auth()) as SessionClaims);

export const getCurrentUser = cache(async (): Promise<UserPrincipal | null> => {
  const session = await sessionClaims();
  // A session from before per-device rows (no sid) is treated as ended: one more sign-in.
  if (!session?.uid || typeof session.sv !== "number" || typeof session.sid !== "string") return null;
  const activeOrg = (await cookies()).get(ACTIVE_ORG_COOKIE)?.value ?? null;
  return loadUserPrincipal(getDb(), session.uid, activeOrg, { sessionVersion: session.sv, sessionId: session.sid });
});

/**
 * A signed-in user, or a redirect to /login that keeps where the user was
 * (`?next=`) and, when their session was ended (from another device, on all
 * devices), says why.
 */
export async function requireUser(): Promise<UserPrincipal> {
  const user = await getCurrentUser();
  if (user) return user;
  const login = new URLSearchParams();
  const here = (await headers()).get(REQUEST_PATH_HEADER);
  if (here && here.startsWith("/") && !here.startsWith("//") && here !== "/") login.set("next", here);
  const sid = (await sessionClaims())?.sid;
  const reason = sid ? await sessionEndReason(getDb(), sid) : null;
  if (reason && reason !== "signed_out") login.set("ended", reason);
  const query = login.toString();
  redirect(query ? `/login?${query}` : "/login");
}

/** A customer acting in an organization; support staff without one get 404. */
export async function requireCustomer(): Promise<CustomerPrincipal> {
  const user = await requireUser();
  if (!user.orgId || !user.role) notFound();
  return user as CustomerPrincipal;
}

/** Where support staff set up their second factor before the console opens (and customer admins may). */
export const TWO_FACTOR_PAGE = "/account/two-factor";

/** Support staff; anyone else gets 404 (the console is not confirmed to exist). Support without a second factor enrols first. */
export async function requireSupport(): Promise<UserPrincipal> {
  const user = await requireUser();
  if (!user.isSupport) notFound();
  if (user.mustEnrolTwoFactor) redirect(TWO_FACTOR_PAGE);
  return user;
}
