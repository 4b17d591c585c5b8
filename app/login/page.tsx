import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { LoginForm } from "@/components/auth/login-form";
import { SESSION_END_MESSAGES, type SessionEndReason } from "@/lib/vocabulary";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; error?: string; joined?: string; ended?: string; reset?: string; email?: string; sso?: string }>;
}) {
  if (await getCurrentUser()) redirect("/");
  const { next, error, joined, ended, reset, email, sso } = await searchParams;
  const endedMessage = typeof ended === "string" && ended in SESSION_END_MESSAGES ? SESSION_END_MESSAGES[ended as SessionEndReason] : null;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">Sign in to ZDR Console</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Usage analytics and Zero Data Retention controls.</p>
        {endedMessage ? (
          <p role="status" className="mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
            {endedMessage}
          </p>
        ) : null}
        {joined ? (
          <p role="status" className="mt-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
            {joined === "sso"
              ? "Your account is ready. Your organization signs in through its identity provider: enter your email to continue there."
              : "Your account is ready. Sign in with your new password."}
          </p>
        ) : null}
        {reset ? (
          <p role="status" className="mt-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
            Your password was changed and every session of your account was ended. Sign in with the new password.
          </p>
        ) : null}
        {/* ?email= is the password step of a form posted without scripts (/api/sso/start sends it here). */}
        <LoginForm
          next={typeof next === "string" ? next : undefined}
          initialError={typeof error === "string" ? error : undefined}
          initialEmail={typeof email === "string" && email.length <= 254 && email.includes("@") ? email : undefined}
          ssoOffered={sso === "offered"}
        />
        <p className="mt-4 text-sm">
          <a href="/forgot-password" className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100">
            Forgot password?
          </a>
        </p>
      </div>
    </main>
  );
}
