"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FieldError, FormStatus, NewPasswordField, fieldProps, inputClass } from "@/components/ui/form";
import { IDLE, type ServerAction } from "@/lib/actions/result";

/** The address to send a reset link to; the answer is the same for every address. */
export function ForgotPasswordForm({ action }: { action: ServerAction }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const email = fieldProps(state, "forgot", "email");
  return (
    <form action={formAction} className="mt-6 space-y-4" noValidate>
      <div>
        <label htmlFor={email.id} className="block text-sm font-medium">
          Email
        </label>
        <input {...email} type="email" required autoComplete="username" className={`mt-1 ${inputClass}`} />
        <FieldError result={state} prefix="forgot" name="email" />
      </div>
      <FormStatus result={state} id="forgot-status" />
      <Button type="submit" variant="primary" disabled={pending} className="w-full">
        {pending ? "Sending…" : "Send the reset link"}
      </Button>
    </form>
  );
}

/** The new password, sent with the link's token. */
export function ResetPasswordForm({ action, token }: { action: ServerAction; token: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="mt-6 space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      <NewPasswordField result={state} prefix="reset" label="New password" help="At least 12 characters. Saving it signs you out on every device." />
      <FormStatus result={state} />
      <Button type="submit" variant="primary" disabled={pending} className="w-full">
        {pending ? "Saving…" : "Save the new password"}
      </Button>
    </form>
  );
}
