/**
 * The signed-in user of the current request, for pages, layouts, route
 * handlers and server actions. (Auth.js wiring lands with the sign-in issue;
 * the signatures here are the contract.)
 */
import { notFound, redirect } from "next/navigation";
import type { OrgRole, UserPrincipal } from "./principal";

export type CustomerPrincipal = UserPrincipal & { orgId: string; role: OrgRole };

export async function getCurrentUser(): Promise<UserPrincipal | null> {
  return null;
}

/** A signed-in user, or a redirect to /login. */
export async function requireUser(): Promise<UserPrincipal> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  return user;
}

/** A customer acting in an organization; support staff without one get 404. */
export async function requireCustomer(): Promise<CustomerPrincipal> {
  const user = await requireUser();
  if (!user.orgId || !user.role) notFound();
  return user as CustomerPrincipal;
}

/** Support staff; anyone else gets 404 (the console is not confirmed to exist). */
export async function requireSupport(): Promise<UserPrincipal> {
  const user = await requireUser();
  if (!user.isSupport) notFound();
  return user;
}
