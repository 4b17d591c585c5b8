/**
 * Auth.js with email + password credentials, and the hand-over of a
 * finished single sign-on (lib/auth/sso-ticket.ts). The configuration is built
 * lazily (per request) so `next build` never needs the secret.
 */
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { baseAuthConfig } from "./config";
import { authenticate, clientAddress, SignInSchema } from "./credentials";
import { startSession } from "./sessions";
import { redeemSsoTicket } from "./sso-ticket";
import { getDb } from "@/lib/db";

export class RateLimitedSignIn extends CredentialsSignin {
  code = "rate_limited";
  constructor(public readonly retryAfterSeconds: number) {
    super();
  }
}

/** The password was right; the account's second factor is asked next. */
export class SecondFactorRequired extends CredentialsSignin {
  code = "second_factor_required";
}

/** The password was right and the second factor wrong (counted by the throttle). */
export class InvalidSecondFactor extends CredentialsSignin {
  code = "invalid_code";
}

/** The email's domain signs in through its organization's identity provider only. */
export class SsoRequired extends CredentialsSignin {
  code = "sso_required";
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...baseAuthConfig(),
  providers: [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" }, code: { type: "text" } },
      async authorize(credentials, request) {
        const parsed = SignInSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const result = await authenticate({ ...parsed.data, ip: clientAddress(request.headers) });
        if (result.ok) {
          const sessionId = await startSession(getDb(), result.userId, request.headers.get("user-agent"));
          return { id: result.userId, sessionVersion: result.sessionVersion, sessionId } as { id: string };
        }
        if (result.reason === "rate_limited") throw new RateLimitedSignIn(result.retryAfterSeconds);
        if (result.reason === "second_factor_required") throw new SecondFactorRequired();
        if (result.reason === "invalid_code") throw new InvalidSecondFactor();
        if (result.reason === "sso_required") throw new SsoRequired();
        return null;
      },
    }),
    // Single sign-on ends here: /api/sso/callback proved the identity provider's answer and hands over a one-time ticket.
    Credentials({
      id: "sso",
      credentials: { ticket: { type: "text" } },
      async authorize(credentials, request) {
        const user = redeemSsoTicket(credentials?.ticket);
        if (!user) return null;
        const sessionId = await startSession(getDb(), user.userId, request.headers.get("user-agent"));
        return { id: user.userId, sessionVersion: user.sessionVersion, sessionId } as { id: string };
      },
    }),
  ],
}));
