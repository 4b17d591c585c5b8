"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { ACTIVE_ORG_COOKIE } from "@/lib/auth/session";
import { notFound } from "@/lib/errors";
import { THEME_COOKIE, THEME_LABELS, ThemeSchema } from "@/lib/vocabulary";

const YEAR = 365 * 24 * 3600;

/** The signed-in person's own theme cookie ("system" removes it); reads and writes nothing else. */
export const setTheme = action(
  { operation: null, who: "user", schema: z.object({ theme: ThemeSchema.catch("system") }), revalidate: "layout" },
  async ({ input }) => {
    const jar = await cookies();
    if (input.theme === "system") jar.delete(THEME_COOKIE);
    else jar.set(THEME_COOKIE, input.theme, { path: "/", maxAge: YEAR, sameSite: "lax", httpOnly: true });
    return { message: `${THEME_LABELS[input.theme]} theme.` };
  },
);

/**
 * Remembers which of the user's organizations they act in. The membership is
 * checked here, and again by loadUserPrincipal, which ignores an org the user
 * does not belong to.
 */
export const switchOrganization = action(
  { operation: null, who: "user", schema: z.object({ orgId: z.uuid({ error: "Unknown organization" }) }), revalidate: "layout" },
  async ({ actor, input }) => {
    const m = actor.memberships.find((x) => x.orgId === input.orgId);
    if (!m) throw notFound("Organization not found");
    (await cookies()).set(ACTIVE_ORG_COOKIE, m.orgId, { path: "/", maxAge: YEAR, sameSite: "lax", httpOnly: true });
    return { message: `You are now working in ${m.orgName}.` };
  },
);
