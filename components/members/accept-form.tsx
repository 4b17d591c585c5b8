"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { IDLE_MEMBER_FORM, type MemberFormState } from "./form-state";

const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950 aria-[invalid=true]:border-red-600";

/** A new person chooses a name and password; an existing, signed-in account just confirms. */
export function AcceptInvitationForm({ action, token, newAccount }: { action: (p: MemberFormState, f: FormData) => Promise<MemberFormState>; token: string; newAccount: boolean }) {
  const [state, formAction, pending] = useActionState(action, IDLE_MEMBER_FORM);
  return (
    <form action={formAction} className="mt-6 space-y-4">
      <input type="hidden" name="token" value={token} />
      {newAccount ? (
        <>
          <div>
            <label htmlFor="name" className="block text-sm font-medium">Your name</label>
            <input id="name" name="name" required autoComplete="name" className={field} aria-invalid={state.fields?.includes("name") || undefined} />
          </div>
          <div>
            <label htmlFor="password" className="block text-sm font-medium">Choose a password</label>
            <input id="password" name="password" type="password" required minLength={12} autoComplete="new-password" className={field}
              aria-invalid={state.fields?.includes("password") || undefined} aria-describedby="password-help" />
            <p id="password-help" className="mt-1 text-xs text-slate-600 dark:text-slate-400">At least 12 characters.</p>
          </div>
        </>
      ) : null}
      <p aria-live="polite" className="text-sm text-red-700 dark:text-red-300">{state.message}</p>
      <Button type="submit" variant="primary" disabled={pending} className="w-full">{pending ? "Joining…" : "Accept the invitation"}</Button>
    </form>
  );
}
