"use client";
/** Review or dismiss one open moderation flag, with a reason for the audit trail. */
import { useActionState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FieldError, FormStatus, fieldProps, inputClass } from "@/components/ui/form";
import { IDLE, typed, type ActionResult, type ServerAction } from "@/lib/actions/result";

export function FlagReviewForm({ action, flagId, label }: { action: ServerAction; flagId: string; label: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE as ActionResult<undefined>);
  const prefix = `flag-${flagId}`;
  const note = fieldProps(state, prefix, "note");
  const outcome = typed(state, "outcome", "reviewed");
  return (
    <div className="space-y-1">
      <ConfirmDialog
        openLabel="Review…"
        openAriaLabel={`Review the flag ${label}`}
        openClassName={buttonClass("secondary", "text-xs")}
        title={`Review the flag ${label}`}
        description="Reviewed: the flag stands. Dismissed: a false positive. Neither lifts a restriction; that is done on the account page, with a reason and ticket."
        testId="flag-review-dialog"
      >
        {(close) => (
          <form action={formAction} className="space-y-3" noValidate>
            <input type="hidden" name="flagId" value={flagId} />
            <fieldset>
              <legend className="text-sm font-medium">Outcome</legend>
              <label className="mt-1 flex items-center gap-2 text-sm">
                <input type="radio" name="outcome" value="reviewed" defaultChecked={outcome === "reviewed"} /> Reviewed: the flag stands
              </label>
              <label className="mt-1 flex items-center gap-2 text-sm">
                <input type="radio" name="outcome" value="dismissed" defaultChecked={outcome === "dismissed"} /> Dismissed: a false positive
              </label>
            </fieldset>
            <div>
              <label htmlFor={note.id} className="block text-sm font-medium">
                Reason (kept in the audit trail)
              </label>
              <textarea {...note} rows={3} maxLength={500} className={`mt-1 ${inputClass}`} />
              <FieldError result={state} prefix={prefix} name="note" />
            </div>
            <div className="flex justify-end gap-2">
              <Button type="button" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" variant="primary" disabled={pending}>
                Save the review
              </Button>
            </div>
          </form>
        )}
      </ConfirmDialog>
      <FormStatus result={state} />
    </div>
  );
}
