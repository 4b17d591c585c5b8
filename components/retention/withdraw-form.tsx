"use client";

import { useActionState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormStatus } from "@/components/ui/form";
import { IDLE, type ServerAction } from "@/lib/actions/result";

/** Two steps, like every change that cannot be undone from here: the dialog opens on Cancel. */
export function WithdrawZdrForm({ action, orgId, requestId, reference }: { action: ServerAction; orgId: string; requestId: string; reference: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <div className="space-y-2">
      <ConfirmDialog
        openLabel="Withdraw request…"
        openClassName={buttonClass("secondary")}
        title={`Withdraw the request ${reference}?`}
        description="Support stops reviewing it and Zero Data Retention stays off. You can ask again later."
        testId="withdraw-zdr-dialog"
      >
        {(close) => (
          <form action={formAction} className="flex flex-wrap justify-end gap-2">
            <input type="hidden" name="orgId" value={orgId} />
            <input type="hidden" name="requestId" value={requestId} />
            <button type="button" onClick={close} data-autofocus className={buttonClass("secondary")}>
              Cancel
            </button>
            <Button type="submit" disabled={pending} onClick={() => setTimeout(close, 0)} className="border-red-300 text-red-800 dark:text-red-200">
              Withdraw request
            </Button>
          </form>
        )}
      </ConfirmDialog>
      <FormStatus result={state} id="withdraw-zdr-status" />
    </div>
  );
}
