import type { Metadata } from "next";
import { ForgotPasswordForm } from "@/components/auth/password-reset-forms";
import { requestPasswordResetAction } from "./actions";

export const metadata: Metadata = { title: "Reset your password" };

export default function ForgotPasswordPage() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">Reset your password</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Enter the email address you sign in with. We send a link to choose a new password; it works once, for 1 hour.
        </p>
        <ForgotPasswordForm action={requestPasswordResetAction} />
        <p className="mt-6 text-sm">
          <a href="/login" className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100">
            Back to sign in
          </a>
        </p>
      </div>
    </main>
  );
}
