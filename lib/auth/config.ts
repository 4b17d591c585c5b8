/**
 * The part of the Auth.js configuration the proxy may load: no providers, no
 * database. Sessions are JWTs carrying the user id and the session version
 * the user had at sign-in; every request compares that version with the
 * database (lib/auth/session.ts), which is what makes them revocable.
 */
import type { NextAuthConfig } from "next-auth";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";

export function baseAuthConfig(): NextAuthConfig {
  const e = env();
  return {
    secret: e.AUTH_SECRET,
    trustHost: true,
    pages: { signIn: "/login" },
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
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
          const u = user as { id: string; sessionVersion: number };
          token.uid = u.id;
          token.sv = u.sessionVersion;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, uid: token.uid as string | undefined, sv: token.sv as number | undefined };
      },
    },
  };
}
