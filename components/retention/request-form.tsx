"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FieldError, FormStatus, fieldProps } from "@/components/ui/form";
import { IDLE, typed, type ServerAction } from "@/lib/actions/result";

/** The admin's request for Zero Data Retention; errors appear next to the form, read out as they arrive. */
export function RequestZdrForm({ action, orgId }: { action: ServerAction; orgId: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const note = fieldProps(state, "zdr", "note");
  const scope = typed(state, "scope", "all_requests");
  return (
    <form action={formAction} className="space-y-4" key={state.status === "error" ? `e-${scope}` : "ok"}>
      <input type="hidden" name="orgId" value={orgId} />
      <fieldset aria-describedby="zdr-scope-error">
        <legend className="text-sm font-medium text-slate-900 dark:text-slate-100">Scope</legend>
        <div className="mt-2 space-y-2 text-sm">
          <label className="flex items-start gap-2">
            <input type="radio" name="scope" value="all_requests" defaultChecked={scope !== "per_request"} className="mt-1" />
            <span>
              Every request of this organization <span className="text-slate-600 dark:text-slate-400">(recommended for regulated data)</span>
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input type="radio" name="scope" value="per_request" defaultChecked={scope === "per_request"} className="mt-1" />
            <span>
              Only requests sent with <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">enable_logging=false</code>
            </span>
          </label>
        </div>
        <FieldError result={state} prefix="zdr" name="scope" />
      </fieldset>
      <div>
        <label htmlFor={note.id} className="block text-sm font-medium text-slate-900 dark:text-slate-100">
          Why you need it <span className="font-normal text-slate-600 dark:text-slate-400">(optional, for example HIPAA)</span>
        </label>
        <textarea
          {...note}
          rows={2}
          aria-describedby={`${note.id}-error zdr-note-help`}
          className="mt-1 block w-full max-w-lg rounded-md border border-slate-300 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600 dark:border-slate-700 dark:bg-slate-950"
        />
        <p id="zdr-note-help" className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          At most 500 characters. Do not include patient, customer or request data.
        </p>
        <FieldError result={state} prefix="zdr" name="note" />
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Sending…" : "Request Zero Data Retention"}
        </Button>
        <FormStatus result={state} />
      </div>
    </form>
  );
}
