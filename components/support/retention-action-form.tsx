"use client";
/**
 * One retention action of the account page: opened on purpose, with a
 * reason, a ticket reference and an explicit confirmation before it runs.
 */
import { useActionState, useId, useState } from "react";
import { IDLE, type ActionState } from "./action-state";

export type RetentionActionKind = "enable" | "disable" | "decline" | "restrict" | "lift";

type Props = {
  kind: RetentionActionKind;
  action: (prev: ActionState, formData: FormData) => Promise<ActionState>;
  orgId: string;
  version: number;
  orgName: string;
  /** Enable only: the scope the customer asked for. */
  defaultScope?: "all_requests" | "per_request";
  /** Enable only: per-request scope needs an enterprise plan. */
  perRequestAllowed?: boolean;
};

const COPY: Record<RetentionActionKind, { open: string; submit: string; confirm: (org: string) => string; danger: boolean }> = {
  enable: { open: "Enable ZDR…", submit: "Enable ZDR", confirm: (o) => `I verified the requester and want to enable Zero Data Retention for ${o}.`, danger: false },
  decline: { open: "Decline request…", submit: "Decline request", confirm: (o) => `I want to decline the ZDR request of ${o}; its admins are told.`, danger: true },
  disable: { open: "Disable ZDR…", submit: "Disable ZDR", confirm: (o) => `I want to turn Zero Data Retention off for ${o}.`, danger: true },
  restrict: { open: "Restrict ZDR…", submit: "Restrict ZDR", confirm: (o) => `I want to restrict Zero Data Retention for ${o}; its admins are notified at once.`, danger: true },
  lift: { open: "Lift restriction…", submit: "Lift restriction", confirm: (o) => `I want to lift the restriction on ${o}.`, danger: false },
};

function Field({ id, label, error, children, hint }: { id: string; label: string; error?: string; hint?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">{label}</label>
      {hint ? <p className="text-xs text-slate-500 dark:text-slate-400">{hint}</p> : null}
      <div className="mt-1">{children}</div>
      <p id={`${id}-error`} aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-400">{error ?? ""}</p>
    </div>
  );
}

const input = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600 dark:border-slate-700 dark:bg-slate-950";

export function RetentionActionForm({ kind, action, orgId, version, orgName, defaultScope = "all_requests", perRequestAllowed = true }: Props) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState(action, IDLE);
  const uid = useId();
  const copy = COPY[kind];
  const e = state.errors ?? {};
  const id = (f: string) => `${uid}-${f}`;
  const aria = (f: string) => ({ id: id(f), name: f, "aria-invalid": e[f] ? true : undefined, "aria-describedby": `${id(f)}-error` });
  const buttonTone = copy.danger ? "bg-red-700 hover:bg-red-800" : "bg-brand-600 hover:bg-brand-700";

  if (!open) {
    return (
      <div>
        <button type="button" onClick={() => setOpen(true)} className={`rounded-md px-3 py-2 text-sm font-medium text-white ${buttonTone}`}>
          {copy.open}
        </button>
        {state.status === "ok" ? <p role="status" className="mt-2 text-sm text-green-700 dark:text-green-400">{state.message}</p> : null}
      </div>
    );
  }
  return (
    <form
      action={formAction}
      aria-label={copy.submit}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h3 className="font-medium">{copy.submit}</h3>
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="expectedVersion" value={version} />
      {kind === "restrict" ? (
        <>
          <Field id={id("category")} label="Reason category" error={e.category}>
            <select {...aria("category")} defaultValue="" className={input}>
              <option value="" disabled>Choose…</option>
              <option value="high_risk_use_case">High-risk use case</option>
              <option value="automated_flag">Automated moderation flag</option>
              <option value="provider_discretion">Provider discretion</option>
            </select>
          </Field>
          <Field id={id("note")} label="Note to the organization's admins" error={e.note} hint="Shown in the notice and the email. Never paste customer content here.">
            <textarea {...aria("note")} rows={3} className={input} />
          </Field>
        </>
      ) : (
        <Field id={id("reason")} label="Reason" error={e.reason} hint="Recorded in the audit trail.">
          <textarea {...aria("reason")} rows={2} className={input} />
        </Field>
      )}
      {kind === "enable" ? (
        <Field id={id("scope")} label="Scope" error={e.scope}>
          <select {...aria("scope")} defaultValue={defaultScope} className={input}>
            <option value="all_requests">All requests</option>
            {perRequestAllowed ? <option value="per_request">Per request (enable_logging=false)</option> : null}
          </select>
        </Field>
      ) : null}
      <Field id={id("ticketRef")} label="Ticket reference" error={e.ticketRef}>
        <input {...aria("ticketRef")} type="text" placeholder="SUP-1234" autoComplete="off" className={input} />
      </Field>
      <div>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="confirm" value="yes" aria-describedby={`${id("confirm")}-error`} aria-invalid={e.confirm ? true : undefined} className="mt-1" />
          <span>{copy.confirm(orgName)}</span>
        </label>
        <p id={`${id("confirm")}-error`} aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-400">{e.confirm ?? ""}</p>
      </div>
      <div aria-live="polite">
        {state.status === "error" ? (
          <p className="text-sm text-red-700 dark:text-red-400">
            {state.message}
            {state.conflict ? " The page now shows the current state." : ""}
          </p>
        ) : null}
        {state.status === "ok" ? <p role="status" className="text-sm text-green-700 dark:text-green-400">{state.message}</p> : null}
      </div>
      <div className="flex gap-2">
        <button type="submit" disabled={pending} className={`rounded-md px-3 py-2 text-sm font-medium text-white disabled:opacity-60 ${buttonTone}`}>
          {pending ? "Working…" : copy.submit}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="rounded-md border border-slate-300 px-3 py-2 text-sm dark:border-slate-700">
          Cancel
        </button>
      </div>
    </form>
  );
}
