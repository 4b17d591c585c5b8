"use client";

import { useEffect, useRef, useState } from "react";

type Errors = { email?: string; password?: string; code?: string; form?: string };

const MESSAGES: Record<string, string> = {
  invalid: "Email or password is incorrect.",
  rate_limited: "Too many failed attempts from this address. Try again in 15 minutes.",
  second_factor_required: "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
  sso_required: "Your organization signs in with single sign-on: passwords are not accepted for this email address.",
  invalid_code: "That code is not valid. Enter the code your authenticator app shows now, or an unused recovery code.",
  invalid_email: "Enter a valid email address.",
  sso_needs_script: "Single sign-on needs JavaScript in this browser: turn it on and sign in again.",
  sso_expired: "Single sign-on took too long or was started in another tab. Enter your email to start again.",
  sso_denied: "Your organization's sign-in service did not sign you in. Try again, or ask your IT team.",
  sso_invalid: "Single sign-on failed: the answer of your organization's sign-in service could not be verified. Nothing was signed in.",
  sso_email_not_allowed: "Your organization's sign-in service vouched for an email address this organization does not sign in with.",
  sso_account_unavailable: "This account cannot sign in with single sign-on. Ask your administrator.",
  sso_unavailable: "Your organization's sign-in service cannot be reached. Try again in a few minutes.",
};
const CODE_STEP = ["second_factor_required", "invalid_code"];

/**
 * Email first: /api/sso/start says how that address signs in. A domain whose
 * organization enforces single sign-on goes straight to its identity
 * provider; one that offers it gets a "Continue with single sign-on" button
 * beside the password; anyone else gets the password step, which posts to
 * /api/session. An account with two-factor sign-in answers
 * `second_factor_required` to the password: the form then asks for the code
 * and sends all three again. Without scripts the forms still post (single
 * sign-on needs them: the page's CSP keeps form posts on this origin).
 */
export function LoginForm({
  next,
  initialError,
  initialEmail,
  ssoOffered = false,
}: {
  next?: string;
  initialError?: string;
  initialEmail?: string;
  ssoOffered?: boolean;
}) {
  const [errors, setErrors] = useState<Errors>(initialError ? { form: MESSAGES[initialError] ?? MESSAGES.invalid } : {});
  const [pending, setPending] = useState(false);
  const [email, setEmail] = useState(initialEmail ?? "");
  const [step, setStep] = useState<"email" | "password">(initialEmail ? "password" : "email");
  const [offerSso, setOfferSso] = useState(ssoOffered);
  const [askCode, setAskCode] = useState(Boolean(initialError && CODE_STEP.includes(initialError)));
  const codeInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const emailInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (askCode) codeInput.current?.focus();
  }, [askCode]);
  useEffect(() => {
    if (step === "password") passwordInput.current?.focus();
  }, [step]);

  async function startSignIn(sso: boolean) {
    setPending(true);
    setErrors({});
    try {
      const res = await fetch("/api/sso/start", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, next, ...(sso ? { sso: true } : {}) }),
      });
      const body = (await res.json().catch(() => ({}))) as { method?: string; redirectTo?: string; message?: string; fields?: Record<string, string> };
      if (res.ok && body.method === "sso" && body.redirectTo) {
        window.location.assign(body.redirectTo);
        return;
      }
      if (res.ok) {
        setOfferSso(body.method === "choice");
        setStep("password");
      } else if (body.fields?.email) {
        setErrors({ email: body.fields.email });
        emailInput.current?.focus();
      } else {
        setErrors({ form: body.message ?? MESSAGES.sso_unavailable });
      }
    } catch {
      setErrors({ form: "The server could not be reached. Check your connection and try again." });
    }
    setPending(false);
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (step === "email") return startSignIn(false);
    const data = new FormData(e.currentTarget);
    setPending(true);
    setErrors({});
    try {
      const res = await fetch("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: data.get("password"), ...(askCode ? { code: data.get("code") } : {}) }),
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
        if (body.error === "sso_required") setOfferSso(true);
        setErrors({ ...(body.fields ?? {}), form: body.fields ? undefined : (body.message ?? MESSAGES.invalid) });
      }
    } catch {
      setErrors({ form: "The server could not be reached. Check your connection and try again." });
    }
    setPending(false);
  }

  function changeEmail() {
    setStep("email");
    setAskCode(false);
    setOfferSso(false);
    setErrors({});
    setTimeout(() => emailInput.current?.focus(), 0);
  }

  const input =
    "mt-1 block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm dark:bg-slate-950 border-slate-300 dark:border-slate-700 aria-[invalid=true]:border-red-600";
  return (
    <form className="mt-6 space-y-4" method="post" action={step === "email" ? "/api/sso/start" : "/api/session"} onSubmit={onSubmit} noValidate>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <div>
        <label htmlFor="email" className="block text-sm font-medium">
          Email
        </label>
        <input
          id="email"
          name="email"
          ref={emailInput}
          type="email"
          autoComplete="username"
          required
          readOnly={step === "password"}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
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
      {step === "password" && (
        <button type="button" onClick={changeEmail} className="text-sm text-brand-700 underline dark:text-brand-300">
          Use a different email
        </button>
      )}
      {step === "password" && offerSso && (
        <button
          type="button"
          onClick={() => startSignIn(true)}
          disabled={pending}
          className="w-full rounded-md border border-brand-600 px-3 py-2 text-sm font-medium text-brand-700 hover:bg-brand-50 disabled:opacity-60 dark:text-brand-300 dark:hover:bg-slate-800"
        >
          Continue with single sign-on
        </button>
      )}
      {step === "password" && (
        <div>
          <label htmlFor="password" className="block text-sm font-medium">
            Password
          </label>
          <input
            id="password"
            ref={passwordInput}
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
      )}
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
        {pending ? (step === "email" ? "Checking…" : "Signing in…") : step === "email" ? "Continue" : askCode ? "Verify and sign in" : "Sign in"}
      </button>
    </form>
  );
}
