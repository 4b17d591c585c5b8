/**
 * Where an identity provider sends the browser back (the redirect_uri,
 * APP_URL + /api/sso/callback). lib/sso/sign-in.ts checks the answer; a
 * person it vouches for gets their session from Auth.js (the "sso"
 * credentials provider and a one-time ticket), with the org that signed
 * them in active. A refusal goes back to the login page with its reason.
 */
import { cookies } from "next/headers";
import type { NextRequest } from "next/server";
import { signIn } from "@/lib/auth";
import { clientAddress } from "@/lib/auth/credentials";
import { ACTIVE_ORG_COOKIE } from "@/lib/auth/session";
import { issueSsoTicket } from "@/lib/auth/sso-ticket";
import { env } from "@/lib/env";
import { completeSsoSignIn, SSO_FLOW_COOKIE, ssoRedirectUri } from "@/lib/sso/sign-in";

export const dynamic = "force-dynamic";

/** The flow is spent whatever happens next: a second visit of the callback URL starts nothing. */
const SPEND_FLOW = `${SSO_FLOW_COOKIE}=; Path=/api/sso; HttpOnly; SameSite=Lax; Max-Age=0`;

const seeOther = (to: URL, spend = true) =>
  new Response(null, { status: 303, headers: { location: to.toString(), "cache-control": "no-store", ...(spend ? { "set-cookie": SPEND_FLOW } : {}) } });

export async function GET(req: NextRequest) {
  const appUrl = env().APP_URL;
  const outcome = await completeSsoSignIn({
    flowCookie: req.cookies.get(SSO_FLOW_COOKIE)?.value,
    // The parameters as the provider sent them, on the redirect_uri they were sent to (never this request's own host).
    callbackUrl: new URL(ssoRedirectUri() + req.nextUrl.search),
    ip: clientAddress(req.headers),
  });
  if (!outcome.ok) return seeOther(new URL(`/login?error=${outcome.reason}`, appUrl));
  try {
    await signIn("sso", { ticket: issueSsoTicket(outcome), redirect: false });
  } catch {
    return seeOther(new URL("/login?error=sso_invalid", appUrl));
  }
  // Auth.js wrote the session cookie through next/headers; these go the same way, into the same response.
  const jar = await cookies();
  jar.delete({ name: SSO_FLOW_COOKIE, path: "/api/sso" });
  jar.set(ACTIVE_ORG_COOKIE, outcome.orgId, { path: "/", httpOnly: true, sameSite: "lax", secure: appUrl.startsWith("https://") });
  // `next` was checked to be a path of this app; the origin is checked once more, after the URL parser had its say.
  const to = new URL(outcome.next, appUrl);
  return seeOther(to.origin === new URL(appUrl).origin ? to : new URL("/", appUrl), false);
}
