/**
 * The part of the Auth.js configuration the proxy may load: no providers, no
 * database. Sessions are JWTs carrying the user id and the session version
 * the user had at sign-in, and the id of the device's session row; every
 * request checks both against the database (lib/auth/session.ts), which is
 * what makes them revocable, all at once or one device at a time.
 */
import type { NextAuthConfig } from "next-auth";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";

/** How long a session lives without signing in again; its row in user_sessions expires with it. */
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export function baseAuthConfig(): NextAuthConfig {
  const e = env();
  return {
    secret: e.AUTH_SECRET,
    trustHost: true,
    pages: { signIn: "/login" },
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    providers: [],
    // Auth.js logs whole errors by default; ours name the error and nothing a user typed.
    logger: {
      error: (err) => logger("auth").error({ name: err.name }, "auth error"),
      warn: () => {},
      debug: () => {},
    },
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          const u = user as { id: string; sessionVersion: number; sessionId: string };
          token.uid = u.id;
          token.sv = u.sessionVersion;
          token.sid = u.sessionId;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, uid: token.uid as string | undefined, sv: token.sv as number | undefined, sid: token.sid as string | undefined };
      },
    },
  };
}
