"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { IDLE, typed, typedAll, type ActionResult } from "@/lib/actions/result";
import { WEBHOOK_EVENT_LABELS, WEBHOOK_EVENT_TYPES } from "@/lib/vocabulary";

type Action = (prev: ActionResult<{ secret: string }>, form: FormData) => Promise<ActionResult<{ secret: string }>>;

const field =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950 aria-[invalid=true]:border-red-600";

function Status({ state, id }: { state: ActionResult<unknown>; id: string }) {
  return (
    <p
      id={id}
      aria-live="polite"
      className={state.status === "error" ? "text-sm text-red-700 dark:text-red-300" : "text-sm text-emerald-700 dark:text-emerald-300"}
    >
      {state.message}
    </p>
  );
}

function SecretOnce({ state }: { state: ActionResult<unknown> }) {
  const secret = (state.data as { secret?: string } | undefined)?.secret;
  if (state.status !== "ok" || !secret) return null;
  return (
    <div role="status" className="rounded-lg border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950">
      <p>Signing secret (shown only this once; verify deliveries with any Standard Webhooks library):</p>
      <code data-testid="webhook-secret" className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900">
        {secret}
      </code>
    </div>
  );
}

export function CreateWebhookForm({ action, orgId }: { action: Action; orgId: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const err = state.fieldErrors ?? {};
  const checked = typedAll(state, "eventTypes");
  return (
    <div className="space-y-3">
      <SecretOnce state={state} />
      <form action={formAction} className="space-y-3" noValidate>
        <input type="hidden" name="orgId" value={orgId} />
        <div>
          <label htmlFor="webhook-url" className="block text-sm font-medium">
            Endpoint URL
          </label>
          <input
            id="webhook-url"
            name="url"
            type="url"
            required
            placeholder="https://hooks.example.com/zdr"
            defaultValue={typed(state, "url")}
            className={`${field} mt-1 max-w-xl`}
            aria-invalid={err.url ? true : undefined}
            aria-describedby="webhook-url-error"
          />
          <p id="webhook-url-error" aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-300">
            {err.url}
          </p>
        </div>
        <div>
          <label htmlFor="webhook-description" className="block text-sm font-medium">
            Description (optional)
          </label>
          <input
            id="webhook-description"
            name="description"
            maxLength={200}
            defaultValue={typed(state, "description")}
            className={`${field} mt-1 max-w-xl`}
            aria-invalid={err.description ? true : undefined}
            aria-describedby="webhook-description-error"
          />
          <p id="webhook-description-error" aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-300">
            {err.description}
          </p>
        </div>
        <fieldset aria-describedby="webhook-events-error">
          <legend className="text-sm font-medium">Events</legend>
          {WEBHOOK_EVENT_TYPES.map((t) => (
            <label key={t} className="mt-1 flex items-center gap-2 text-sm">
              <input type="checkbox" name="eventTypes" value={t} defaultChecked={checked ? checked.includes(t) : t.startsWith("zdr.")} />
              <code>{t}</code> <span className="text-slate-600 dark:text-slate-400">{WEBHOOK_EVENT_LABELS[t]}</span>
            </label>
          ))}
          <p id="webhook-events-error" aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-300">
            {err.eventTypes}
          </p>
        </fieldset>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Adding…" : "Add endpoint"}
        </Button>
        <Status state={state} id="webhook-create-status" />
      </form>
    </div>
  );
}

/** One button acting on one endpoint (test, rotate, enable, delete). */
export function EndpointButton<D>({
  action,
  orgId,
  endpointId,
  label,
  confirmText,
}: {
  action: (prev: ActionResult<D>, form: FormData) => Promise<ActionResult<D>>;
  orgId: string;
  endpointId: string;
  label: string;
  confirmText?: string;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE as ActionResult<D>);
  const form = (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="endpointId" value={endpointId} />
      {confirmText ? <span className="text-sm">{confirmText}</span> : null}
      <Button type="submit" disabled={pending}>
        {confirmText ? "Confirm" : label}
      </Button>
      <Status state={state} id={`webhook-${label.replace(/\W+/g, "-").toLowerCase()}-${endpointId}`} />
      <SecretOnce state={state} />
    </form>
  );
  if (!confirmText) return form;
  return (
    <details>
      <summary className="cursor-pointer list-none rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950">
        {label}
      </summary>
      <div className="mt-2">{form}</div>
    </details>
  );
}
