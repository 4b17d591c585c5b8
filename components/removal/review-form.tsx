"use client";
import { useActionState } from "react";
import { IDLE, typed, type ActionResult } from "@/lib/actions/result";
import { Button } from "@/components/ui/button";
import { Field, inputClass, StatusLine } from "./field";

type Action = (prev: ActionResult<undefined>, form: FormData) => Promise<ActionResult<undefined>>;

/** Support's decision on a removal request: approve or reject (the button sends `decision`), with a reason and a ticket. */
export function ReviewRemovalForm({ action, requestId }: { action: Action; requestId: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const err = (f: string) => state.fieldErrors?.[f];
  const id = (f: string) => `${f}-${requestId}`;
  return (
    <form action={formAction} className="space-y-2" data-testid="removal-review-form">
      <input type="hidden" name="requestId" value={requestId} />
      <Field id={id("reason")} label="Reason" error={err("reason")}>
        <input
          id={id("reason")}
          name="reason"
          defaultValue={typed(state, "reason")}
          aria-invalid={err("reason") ? true : undefined}
          aria-describedby={`${id("reason")}-error`}
          className={inputClass}
        />
      </Field>
      <Field id={id("ticketRef")} label="Ticket" error={err("ticketRef")}>
        <input
          id={id("ticketRef")}
          name="ticketRef"
          defaultValue={typed(state, "ticketRef")}
          aria-invalid={err("ticketRef") ? true : undefined}
          aria-describedby={`${id("ticketRef")}-error`}
          className={inputClass}
        />
      </Field>
      <div className="flex items-center gap-2">
        <Button type="submit" name="decision" value="approve" variant="primary" disabled={pending}>
          Approve
        </Button>
        <Button type="submit" name="decision" value="reject" disabled={pending}>
          Reject
        </Button>
        <StatusLine status={state.status} message={state.message} />
      </div>
    </form>
  );
}
