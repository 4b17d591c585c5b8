"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";

export type RequestFormState = { ok: boolean; message: string | null; fields?: string[] };

/** The admin's request for Zero Data Retention; errors appear next to the form, read out as they arrive. */
export function RequestZdrForm({ action }: { action: (prev: RequestFormState, form: FormData) => Promise<RequestFormState> }) {
  const [state, formAction, pending] = useActionState(action, { ok: false, message: null });
  const noteInvalid = state.fields?.includes("note");
  return (
    <form action={formAction} className="space-y-4">
      <fieldset>
        <legend className="text-sm font-medium text-slate-900 dark:text-slate-100">Scope</legend>
        <div className="mt-2 space-y-2 text-sm">
          <label className="flex items-start gap-2">
            <input type="radio" name="scope" value="all_requests" defaultChecked className="mt-1" />
            <span>
              Every request of this organization <span className="text-slate-600 dark:text-slate-400">(recommended for regulated data)</span>
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input type="radio" name="scope" value="per_request" className="mt-1" />
            <span>
              Only requests sent with <code className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">enable_logging=false</code>
            </span>
          </label>
        </div>
      </fieldset>
      <div>
        <label htmlFor="zdr-note" className="block text-sm font-medium text-slate-900 dark:text-slate-100">
          Why you need it <span className="font-normal text-slate-600 dark:text-slate-400">(optional, for example HIPAA)</span>
        </label>
        <textarea
          id="zdr-note"
          name="note"
          maxLength={500}
          rows={2}
          aria-invalid={noteInvalid || undefined}
          aria-describedby="zdr-note-help"
          className="mt-1 block w-full max-w-lg rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950"
        />
        <p id="zdr-note-help" className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          At most 500 characters. Do not include patient, customer or request data.
        </p>
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Sending…" : "Request Zero Data Retention"}
        </Button>
        <p aria-live="polite" className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-300" : "text-sm text-red-700 dark:text-red-300"}>
          {state.message}
        </p>
      </div>
    </form>
  );
}
