"use client";

import { useEffect, useRef, useState } from "react";

type Errors = { email?: string; password?: string; code?: string; form?: string };

const MESSAGES: Record<string, string> = {
  invalid: "Email or password is incorrect.",
  rate_limited: "Too many failed attempts from this address. Try again in 15 minutes.",
  second_factor_required: "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
  sso_required: "Your organization signs in with single sign-on: passwords are not accepted for this email address.",
  invalid_code: "That code is not valid. Enter the code your authenticator app shows now, or an unused recovery code.",
};
const CODE_STEP = ["second_factor_required", "invalid_code"];

/**
 * Posts to /api/session; a plain form post still works without scripts. An
 * account with two-factor sign-in answers `second_factor_required` to the
 * password: the form then asks for the code and sends all three again.
 */
export function LoginForm({ next, initialError }: { next?: string; initialError?: string }) {
  const [errors, setErrors] = useState<Errors>(initialError ? { form: MESSAGES[initialError] ?? MESSAGES.invalid } : {});
  const [pending, setPending] = useState(false);
  const [askCode, setAskCode] = useState(Boolean(initialError && CODE_STEP.includes(initialError)));
  const codeInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (askCode) codeInput.current?.focus();
  }, [askCode]);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setPending(true);
    setErrors({});
    try {
      const res = await fetch("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: data.get("email"), password: data.get("password"), ...(askCode ? { code: data.get("code") } : {}) }),
      });
      const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string; fields?: Record<string, string> };
      if (res.ok) {
        window.location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
        return;
      }
      if (body.error === "second_factor_required") {
        setAskCode(true);
        setErrors({});
      } else if (body.error === "invalid_code") {
        setErrors({ code: body.message ?? MESSAGES.invalid_code });
        codeInput.current?.select();
      } else {
        setErrors({ ...(body.fields ?? {}), form: body.fields ? undefined : (body.message ?? MESSAGES.invalid) });
      }
    } catch {
      setErrors({ form: "The server could not be reached. Check your connection and try again." });
    }
    setPending(false);
  }

  const input =
    "mt-1 block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm dark:bg-slate-950 border-slate-300 dark:border-slate-700 aria-[invalid=true]:border-red-600";
  return (
    <form className="mt-6 space-y-4" method="post" action="/api/session" onSubmit={onSubmit} noValidate>
      <div>
        <label htmlFor="email" className="block text-sm font-medium">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          className={input}
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={errors.email ? "email-error" : undefined}
        />
        {errors.email && (
          <p id="email-error" className="mt-1 text-sm text-red-700 dark:text-red-400">
            {errors.email}
          </p>
        )}
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className={input}
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={errors.password ? "password-error" : undefined}
        />
        {errors.password && (
          <p id="password-error" className="mt-1 text-sm text-red-700 dark:text-red-400">
            {errors.password}
          </p>
        )}
      </div>
      {askCode && (
        <div>
          <label htmlFor="code" className="block text-sm font-medium">
            Authentication code
          </label>
          <p id="code-hint" className="mt-1 text-xs text-slate-600 dark:text-slate-400">
            The 6-digit code from your authenticator app. Lost the device? Enter one of your recovery codes.
          </p>
          <input
            ref={codeInput}
            id="code"
            name="code"
            type="text"
            inputMode="text"
            autoComplete="one-time-code"
            required
            maxLength={64}
            className={input}
            aria-invalid={errors.code ? true : undefined}
            aria-describedby={errors.code ? "code-hint code-error" : "code-hint"}
          />
          {errors.code && (
            <p id="code-error" className="mt-1 text-sm text-red-700 dark:text-red-400">
              {errors.code}
            </p>
          )}
        </div>
      )}
      <div aria-live="polite" className="min-h-5">
        {errors.form && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
            {errors.form}
          </p>
        )}
      </div>
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? "Signing in…" : askCode ? "Verify and sign in" : "Sign in"}
      </button>
    </form>
  );
}
