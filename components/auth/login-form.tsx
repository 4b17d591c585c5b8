"use client";

import { useState } from "react";

type Errors = { email?: string; password?: string; form?: string };

const MESSAGES: Record<string, string> = {
  invalid: "Email or password is incorrect.",
  rate_limited: "Too many failed attempts from this address. Try again in 15 minutes.",
};

/** Posts to /api/session; a plain form post still works without scripts. */
export function LoginForm({ next, initialError }: { next?: string; initialError?: string }) {
  const [errors, setErrors] = useState<Errors>(initialError ? { form: MESSAGES[initialError] ?? MESSAGES.invalid } : {});
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setPending(true);
    setErrors({});
    try {
      const res = await fetch("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: data.get("email"), password: data.get("password") }),
      });
      const body = (await res.json().catch(() => ({}))) as { message?: string; fields?: Record<string, string> };
      if (res.ok) {
        window.location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
        return;
      }
      setErrors({ ...(body.fields ?? {}), form: body.fields ? undefined : (body.message ?? MESSAGES.invalid) });
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
        <label htmlFor="email" className="block text-sm font-medium">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required className={input}
          aria-invalid={errors.email ? true : undefined} aria-describedby={errors.email ? "email-error" : undefined} />
        {errors.email && <p id="email-error" className="mt-1 text-sm text-red-700 dark:text-red-400">{errors.email}</p>}
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required className={input}
          aria-invalid={errors.password ? true : undefined} aria-describedby={errors.password ? "password-error" : undefined} />
        {errors.password && <p id="password-error" className="mt-1 text-sm text-red-700 dark:text-red-400">{errors.password}</p>}
      </div>
      <div aria-live="polite" className="min-h-5">
        {errors.form && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">{errors.form}</p>
        )}
      </div>
      <button type="submit" disabled={pending}
        className="w-full rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
