"use client";
/**
 * Revoking a token is final and stops a fleet at once: the dialog asks for
 * the token's name typed again, and the button stays disabled until it matches
 * (the server checks the name too).
 */
import { useActionState, useState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FieldError, FormStatus, inputClass } from "@/components/ui/form";
import { IDLE, type ActionResult, type ServerAction } from "@/lib/actions/result";

export function RevokeTokenForm({ action, tokenId, name }: { action: ServerAction; tokenId: string; name: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE as ActionResult<undefined>);
  const [typedName, setTypedName] = useState("");
  const prefix = `revoke-${tokenId}`;
  return (
    <div className="space-y-1">
      <ConfirmDialog
        openLabel="Revoke…"
        openAriaLabel={`Revoke ${name}`}
        openClassName={buttonClass("secondary", "border-red-300 text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950")}
        title={`Revoke the token “${name}”?`}
        description="Every request that presents it is refused from now on, and it cannot be restored: whoever uses it needs a new token."
        testId="revoke-token-dialog"
      >
        {(close) => (
          <form action={formAction} className="space-y-3" noValidate>
            <input type="hidden" name="tokenId" value={tokenId} />
            <div>
              <label htmlFor={`${prefix}-confirmName`} className="block text-sm font-medium">
                Type <span className="font-mono">{name}</span> to confirm
              </label>
              <input
                id={`${prefix}-confirmName`}
                name="confirmName"
                autoComplete="off"
                value={typedName}
                onChange={(e) => setTypedName(e.target.value)}
                aria-invalid={Boolean(state.fieldErrors?.confirmName) || undefined}
                aria-describedby={`${prefix}-confirmName-error`}
                className={`mt-1 ${inputClass}`}
              />
              <FieldError result={state} prefix={prefix} name="confirmName" />
            </div>
            <div className="flex justify-end gap-2">
              <Button type="button" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" variant="primary" disabled={pending || typedName.trim() !== name}>
                Revoke the token
              </Button>
            </div>
          </form>
        )}
      </ConfirmDialog>
      <FormStatus result={state} />
    </div>
  );
}
