import type { Metadata } from "next";
import { findPasswordReset } from "@/lib/accounts/password-reset";
import { ResetPasswordForm } from "@/components/auth/password-reset-forms";
import { resetPasswordAction } from "./actions";

// The token is in the path: no Referer may carry it to another site.
export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const reset = await findPasswordReset(token);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        {reset ? (
          <>
            <h1 className="text-xl font-semibold">Choose a new password</h1>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
              For <strong>{reset.email}</strong>.
            </p>
            <ResetPasswordForm action={resetPasswordAction} token={token} />
          </>
        ) : (
          <>
            <h1 className="text-xl font-semibold">This reset link cannot be used</h1>
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
              It is unknown, was already used, was replaced by a newer one, or has expired (links work for 1 hour).
            </p>
            <p className="mt-4 text-sm">
              <a href="/forgot-password" className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100">
                Ask for a new link
              </a>
            </p>
          </>
        )}
      </div>
    </main>
  );
}
