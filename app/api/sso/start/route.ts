/**
 * The login page's email step: answers how this email signs in. JSON
 * `{ method: "password" }`, `{ method: "choice" }` (single sign-on offered,
 * passwords allowed) or `{ method: "sso", redirectTo }` with the flow cookie
 * set, the page then going to the identity provider. A plain form post (no
 * script) is sent on to the password step.
 */
import type { NextRequest } from "next/server";
import { beginSsoSignIn, SSO_FLOW_COOKIE, SSO_FLOW_TTL_SECONDS } from "@/lib/sso/sign-in";
import { env } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { crossSiteRefusal, isSameOrigin } from "@/lib/http/origin";

export const dynamic = "force-dynamic";

async function readBody(req: NextRequest): Promise<Record<string, unknown>> {
  const type = req.headers.get("content-type") ?? "";
  try {
    if (type.includes("application/json")) {
      const body = (await req.json()) as unknown;
      return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    }
    if (type.includes("form")) return Object.fromEntries((await req.formData()).entries());
  } catch {
    return {};
  }
  return {};
}

export async function POST(req: NextRequest) {
  if (!isSameOrigin(req.headers, req.nextUrl.origin)) return crossSiteRefusal();
  const isForm = !(req.headers.get("content-type") ?? "").includes("application/json");
  const body = await readBody(req);
  const appUrl = env().APP_URL;
  try {
    const answer = await beginSsoSignIn({
      email: typeof body.email === "string" ? body.email : "",
      next: typeof body.next === "string" ? body.next : undefined,
      sso: body.sso === true || body.sso === "true" || body.sso === "on",
    });
    if (answer.method === "unavailable") {
      const message = "Your organization's sign-in service cannot be reached. Try again in a few minutes.";
      return isForm
        ? Response.redirect(new URL("/login?error=sso_unavailable", appUrl), 303)
        : Response.json({ error: "sso_unavailable", message }, { status: 503 });
    }
    if (answer.method !== "sso") {
      if (!isForm) return Response.json({ method: answer.method });
      const to = new URL("/login", appUrl);
      to.searchParams.set("email", typeof body.email === "string" ? body.email.slice(0, 254) : "");
      if (answer.method === "choice") to.searchParams.set("sso", "offered");
      return Response.redirect(to, 303);
    }
    const secure = appUrl.startsWith("https://") ? "; Secure" : "";
    const cookie = `${SSO_FLOW_COOKIE}=${answer.flowCookie}; Path=/api/sso; HttpOnly; SameSite=Lax; Max-Age=${SSO_FLOW_TTL_SECONDS}${secure}`;
    // A form post may not be redirected to another origin under the page's CSP (form-action 'self'): the page navigates itself.
    if (isForm) return Response.redirect(new URL("/login?error=sso_needs_script", appUrl), 303);
    return Response.json({ method: "sso", redirectTo: answer.redirectTo }, { headers: { "set-cookie": cookie, "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof ValidationError) {
      const fields = Object.fromEntries((err.details?.problems ?? []).map((p) => [p.path, p.problem]));
      if (isForm) return Response.redirect(new URL("/login?error=invalid_email", appUrl), 303);
      return Response.json({ error: "invalid", message: "Check the highlighted fields.", fields }, { status: 400 });
    }
    throw err;
  }
}
