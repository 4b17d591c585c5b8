/**
 * Sign in with email and password, and the second factor's code for an
 * account that has one. JSON from the login form's script, or a plain form
 * post when scripts are off. Answers 401 with one message for an unknown
 * email and a wrong password alike; 401 `second_factor_required` when the
 * password was right and a code is needed, `invalid_code` for a wrong code;
 * and 429 with Retry-After when throttled.
 */
import type { NextRequest } from "next/server";
import { signIn, RateLimitedSignIn, SecondFactorRequired, InvalidSecondFactor, SsoRequired } from "@/lib/auth";
import { SignInSchema } from "@/lib/auth/credentials";
import { crossSiteRefusal, isSameOrigin } from "@/lib/http/origin";
import { CredentialsSignin } from "next-auth";

export const dynamic = "force-dynamic";

const INVALID = "Email or password is incorrect.";
const CODE_REQUIRED = "Enter the 6-digit code from your authenticator app, or one of your recovery codes.";
const SSO_REQUIRED = "Your organization signs in with single sign-on: passwords are not accepted for this email address. Continue with single sign-on.";
const CODE_INVALID = "That code is not valid. Enter the code your authenticator app shows now, or an unused recovery code.";

async function readBody(req: NextRequest): Promise<Record<string, unknown> | null> {
  const type = req.headers.get("content-type") ?? "";
  try {
    if (type.includes("application/json")) return (await req.json()) as Record<string, unknown>;
    if (type.includes("form")) return Object.fromEntries((await req.formData()).entries());
  } catch {
    return null;
  }
  return null;
}

export async function POST(req: NextRequest) {
  if (!isSameOrigin(req.headers, req.nextUrl.origin)) return crossSiteRefusal();
  const isForm = !(req.headers.get("content-type") ?? "").includes("application/json");
  const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    if (isForm) {
      const to = new URL(status === 200 ? "/" : "/login", req.nextUrl.origin);
      if (status !== 200) to.searchParams.set("error", status === 429 ? "rate_limited" : typeof body.error === "string" ? body.error : "invalid");
      return Response.redirect(to, 303);
    }
    return Response.json(body, { status, headers });
  };

  const body = await readBody(req);
  // A JSON array or scalar is read as an empty form, so the answer names the missing fields.
  const parsed = SignInSchema.safeParse(body && typeof body === "object" && !Array.isArray(body) ? body : {});
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join("."), i.message]));
    return reply(400, { error: "invalid", message: "Check the highlighted fields.", fields });
  }
  try {
    const { email, password, code } = parsed.data;
    // Auth.js sends these as a form: an absent code must be left out, not sent as "undefined".
    await signIn("credentials", { email, password, ...(code ? { code } : {}), redirect: false });
    return reply(200, { ok: true, redirectTo: "/" });
  } catch (err) {
    if (err instanceof RateLimitedSignIn || (err as { code?: string })?.code === "rate_limited") {
      const retry = String((err as RateLimitedSignIn).retryAfterSeconds ?? 900);
      return reply(
        429,
        {
          error: "rate_limited",
          message: `Too many failed attempts. Try again in ${Math.ceil(Number(retry) / 60)} minutes.`,
          retryAfterSeconds: Number(retry),
        },
        { "retry-after": retry },
      );
    }
    const code = (err as { code?: string })?.code;
    if (err instanceof SecondFactorRequired || code === "second_factor_required")
      return reply(401, { error: "second_factor_required", message: CODE_REQUIRED });
    if (err instanceof InvalidSecondFactor || code === "invalid_code")
      return reply(401, { error: "invalid_code", message: CODE_INVALID, fields: { code: CODE_INVALID } });
    if (err instanceof SsoRequired || code === "sso_required") return reply(403, { error: "sso_required", message: SSO_REQUIRED });
    if (err instanceof CredentialsSignin) return reply(401, { error: "invalid", message: INVALID });
    throw err;
  }
}
