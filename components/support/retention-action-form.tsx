"use client";
/**
 * The retention actions of the account page: one per transition the state
 * machine offers (availableTransitions), each opened on purpose, with a
 * reason, a ticket reference and an explicit confirmation before it runs.
 * A success closes the form and leaves a banner that says what happened;
 * a failure keeps everything that was typed.
 */
import { useActionState, useState } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FieldError, FormStatus, fieldProps, inputClass } from "@/components/ui/form";
import { IDLE, typed, type ActionResult, type ServerAction } from "@/lib/actions/result";
import { RESTRICTION_REASONS, RESTRICTION_REASON_LABELS, ZDR_SCOPE_LABELS, type ZdrScope } from "@/lib/vocabulary";

export type RetentionActionKind = "enable" | "disable" | "decline" | "restrict" | "lift";

/** What restricting means for this organization now (lib/retention/wording.ts restrictConsequence): there may be no ZDR to restrict. */
export type RestrictCopy = { describe: string; confirm: string };

const COPY: Record<
  RetentionActionKind,
  {
    open: string;
    submit: string;
    confirm: (org: string, restrict: RestrictCopy) => string;
    describe: (org: string, restrict: RestrictCopy) => string;
    danger: boolean;
  }
> = {
  enable: {
    open: "Enable ZDR…",
    submit: "Enable ZDR",
    confirm: (o) => `I verified the requester and want to enable Zero Data Retention for ${o}.`,
    describe: (o) => `${o} stops having content kept from the moment this is saved; its admins are told.`,
    danger: false,
  },
  decline: {
    open: "Decline request…",
    submit: "Decline request",
    confirm: (o) => `I want to decline the ZDR request of ${o}; its admins are told.`,
    describe: (o) => `The pending request of ${o} is closed; its admins are told.`,
    danger: true,
  },
  disable: {
    open: "Disable ZDR…",
    submit: "Disable ZDR",
    confirm: (o) => `I want to turn Zero Data Retention off for ${o}.`,
    describe: (o) => `${o} goes back to the plan's retention; its admins are told.`,
    danger: true,
  },
  restrict: {
    open: "Restrict ZDR…",
    submit: "Restrict ZDR",
    confirm: (_o, r) => r.confirm,
    describe: (_o, r) => r.describe,
    danger: true,
  },
  lift: {
    open: "Lift restriction…",
    submit: "Lift restriction",
    confirm: (o) => `I want to lift the restriction on ${o}.`,
    describe: (o) => `${o} returns to the state it had before the restriction; its admins are told.`,
    danger: false,
  },
};

type Common = { orgId: string; version: number; orgName: string; defaultScope: ZdrScope; restrict: RestrictCopy };

function Labelled({ htmlFor, label, hint, children }: { htmlFor: string; label: string; hint?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={htmlFor} className="block text-sm font-medium">
        {label}
      </label>
      {hint ? <p className="text-xs text-slate-600 dark:text-slate-400">{hint}</p> : null}
      <div className="mt-1">{children}</div>
    </div>
  );
}

type Hook = [ActionResult, (form: FormData) => void, boolean];

function RetentionActionForm({
  kind,
  hook,
  onSubmit,
  orgId,
  version,
  orgName,
  defaultScope,
  restrict,
}: Common & { kind: RetentionActionKind; hook: Hook; onSubmit: () => void }) {
  const [state, formAction, pending] = hook;
  const copy = COPY[kind];
  const p = `${kind}-${orgId}`;
  const f = (name: string, fallback = "") => fieldProps(state, p, name, fallback);
  const tone = copy.danger ? "bg-red-700 hover:bg-red-800" : "bg-brand-600 hover:bg-brand-700";

  const confirm = f("confirm");
  return (
    <ConfirmDialog
      openLabel={copy.open}
      openClassName={`rounded-md px-3 py-2 text-sm font-medium text-white ${tone}`}
      title={copy.submit}
      description={copy.describe(orgName, restrict)}
      testId={`${kind}-dialog`}
    >
      {(close) => (
        <form action={formAction} onSubmit={onSubmit} aria-label={copy.submit} className="space-y-3" noValidate>
          <input type="hidden" name="orgId" value={orgId} />
          <input type="hidden" name="expectedVersion" value={version} />
          {kind === "restrict" ? (
            <>
              <Labelled htmlFor={f("category").id} label="Reason category">
                {/* Keyed by the value given back: a select keeps its first defaultValue, and React resets the form after an action. */}
                <select {...f("category")} key={`category-${f("category").defaultValue}`} className={inputClass}>
                  <option value="" disabled>
                    Choose…
                  </option>
                  {RESTRICTION_REASONS.map((r) => (
                    <option key={r} value={r}>
                      {RESTRICTION_REASON_LABELS[r]}
                    </option>
                  ))}
                </select>
                <FieldError result={state} prefix={p} name="category" />
              </Labelled>
              <Labelled
                htmlFor={f("note").id}
                label="Note to the organization's admins"
                hint="Shown in the notice and the email. Never paste customer content here."
              >
                <textarea {...f("note")} rows={3} className={inputClass} />
                <FieldError result={state} prefix={p} name="note" />
              </Labelled>
            </>
          ) : (
            <Labelled htmlFor={f("reason").id} label="Reason" hint="Recorded in the audit trail.">
              <textarea {...f("reason")} rows={2} className={inputClass} />
              <FieldError result={state} prefix={p} name="reason" />
            </Labelled>
          )}
          {kind === "enable" ? (
            <Labelled htmlFor={f("scope").id} label="Scope">
              <select {...f("scope", defaultScope)} key={`scope-${f("scope", defaultScope).defaultValue}`} className={inputClass}>
                <option value="all_requests">{ZDR_SCOPE_LABELS.all_requests}</option>
                <option value="per_request">{ZDR_SCOPE_LABELS.per_request}</option>
              </select>
              <FieldError result={state} prefix={p} name="scope" />
            </Labelled>
          ) : null}
          <Labelled htmlFor={f("ticketRef").id} label="Ticket reference">
            <input {...f("ticketRef")} type="text" placeholder="SUP-1234" autoComplete="off" className={inputClass} />
            <FieldError result={state} prefix={p} name="ticketRef" />
          </Labelled>
          <div>
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                id={confirm.id}
                name="confirm"
                value="yes"
                defaultChecked={typed(state, "confirm") === "yes"}
                aria-describedby={confirm["aria-describedby"]}
                aria-invalid={confirm["aria-invalid"]}
                className="mt-1"
              />
              <span>{copy.confirm(orgName, restrict)}</span>
            </label>
            <FieldError result={state} prefix={p} name="confirm" />
          </div>
          <FormStatus result={state.status === "error" ? state : IDLE} />
          <div className="flex gap-2">
            <button type="submit" disabled={pending} className={`rounded-md px-3 py-2 text-sm font-medium text-white disabled:opacity-60 ${tone}`}>
              {pending ? "Working…" : copy.submit}
            </button>
            <button type="button" onClick={close} className="rounded-md border border-slate-300 px-3 py-2 text-sm dark:border-slate-700">
              Cancel
            </button>
          </div>
        </form>
      )}
    </ConfirmDialog>
  );
}

/**
 * The actions the state machine offers now, and the banner of the last one
 * that succeeded. The results live here, above the forms: a success changes
 * the state's version, which remounts the forms closed, while the banner stays.
 */
export function RetentionActions({
  transitions,
  actions,
  ...common
}: Common & { transitions: RetentionActionKind[]; actions: Record<RetentionActionKind, ServerAction> }) {
  const hooks: Record<RetentionActionKind, Hook> = {
    enable: useActionState(actions.enable, IDLE as ActionResult),
    disable: useActionState(actions.disable, IDLE as ActionResult),
    decline: useActionState(actions.decline, IDLE as ActionResult),
    restrict: useActionState(actions.restrict, IDLE as ActionResult),
    lift: useActionState(actions.lift, IDLE as ActionResult),
  };
  const [last, setLast] = useState<RetentionActionKind | null>(null);
  const done = last ? hooks[last][0] : null;
  const banner = done?.status === "ok" ? done.message : null;
  return (
    <div className="space-y-3">
      {banner ? (
        <div
          role="status"
          data-testid="action-banner"
          className="rounded-md border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
        >
          {banner}
        </div>
      ) : null}
      <div className="flex flex-wrap items-start gap-4">
        {transitions.map((kind) => (
          // Keyed by the version: after a change the forms start afresh, closed.
          <RetentionActionForm key={`${kind}-${common.version}`} kind={kind} hook={hooks[kind]} onSubmit={() => setLast(kind)} {...common} />
        ))}
      </div>
    </div>
  );
}
