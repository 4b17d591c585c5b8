"use server";

import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { ACTIVE_ORG_COOKIE, requireUser } from "@/lib/auth/session";

const YEAR = 365 * 24 * 3600;

export async function setTheme(form: FormData): Promise<void> {
  const theme = form.get("theme") === "dark" ? "dark" : "light";
  (await cookies()).set("zdr_theme", theme, { path: "/", maxAge: YEAR, sameSite: "lax", httpOnly: true });
  revalidatePath("/", "layout");
}

/**
 * Remembers which of the user's organizations they act in. The membership is
 * checked here, and again by loadUserPrincipal, which ignores an org the user
 * does not belong to.
 */
export async function switchOrganization(form: FormData): Promise<void> {
  const user = await requireUser();
  const orgId = form.get("orgId");
  if (typeof orgId !== "string" || !user.memberships.some((m) => m.orgId === orgId)) return;
  (await cookies()).set(ACTIVE_ORG_COOKIE, orgId, { path: "/", maxAge: YEAR, sameSite: "lax", httpOnly: true });
  revalidatePath("/", "layout");
}
