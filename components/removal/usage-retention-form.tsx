"use client";
import { useActionState } from "react";
import { IDLE, typed, type ActionResult } from "@/lib/actions/result";
import { Button } from "@/components/ui/button";
import { Field, inputClass, StatusLine } from "./field";

type Action = (prev: ActionResult<undefined>, form: FormData) => Promise<ActionResult<undefined>>;

/** Support changes an org's usage retention window (days of raw usage events kept). */
export function UsageRetentionForm({ action, orgId, days, min, max }: { action: Action; orgId: string; days: number; min: number; max: number }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const err = (f: string) => state.fieldErrors?.[f];
  const aria = (f: string) => ({ "aria-invalid": err(f) ? true : undefined, "aria-describedby": `ur-${f}-error` });
  return (
    <form action={formAction} className="space-y-2" data-testid="usage-retention-form">
      <input type="hidden" name="orgId" value={orgId} />
      <Field id="ur-days" label={`Days of raw usage events kept (${min} to ${max})`} error={err("days")}>
        <input
          id="ur-days"
          name="days"
          type="number"
          min={min}
          max={max}
          defaultValue={typed(state, "days", String(days))}
          className={inputClass}
          {...aria("days")}
        />
      </Field>
      <Field id="ur-reason" label="Reason" error={err("reason")}>
        <input id="ur-reason" name="reason" defaultValue={typed(state, "reason")} className={inputClass} {...aria("reason")} />
      </Field>
      <Field id="ur-ticketRef" label="Ticket" error={err("ticketRef")}>
        <input id="ur-ticketRef" name="ticketRef" defaultValue={typed(state, "ticketRef")} className={inputClass} {...aria("ticketRef")} />
      </Field>
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={pending}>
          Save window
        </Button>
        <StatusLine status={state.status} message={state.message} />
      </div>
    </form>
  );
}
