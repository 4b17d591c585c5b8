"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FieldError, FormStatus, NewPasswordField, fieldProps, inputClass } from "@/components/ui/form";
import { IDLE, type ServerAction } from "@/lib/actions/result";

/**
 * A new person chooses a name and password (only a name where their domain signs in through its
 * identity provider); an existing, signed-in account just confirms.
 */
export function AcceptInvitationForm({
  action,
  token,
  newAccount,
  ssoRequired = false,
}: {
  action: ServerAction;
  token: string;
  newAccount: boolean;
  ssoRequired?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const name = fieldProps(state, "accept", "name");
  return (
    <form action={formAction} className="mt-6 space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      {newAccount ? (
        <>
          <div>
            <label htmlFor={name.id} className="block text-sm font-medium">
              Your name
            </label>
            <input {...name} required autoComplete="name" className={`mt-1 ${inputClass}`} />
            <FieldError result={state} prefix="accept" name="name" />
          </div>
          {ssoRequired ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Your organization signs in through its identity provider, so you choose no password here. After accepting, sign in with your email and your
              organization&apos;s sign-in page.
            </p>
          ) : (
            <NewPasswordField result={state} prefix="accept" label="Choose a password" help="At least 12 characters." />
          )}
        </>
      ) : null}
      <FormStatus result={state} />
      <Button type="submit" variant="primary" disabled={pending} className="w-full">
        {pending ? "Joining…" : "Accept the invitation"}
      </Button>
    </form>
  );
}
