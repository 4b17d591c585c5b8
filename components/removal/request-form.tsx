"use client";
import { useActionState } from "react";
import { IDLE, typed, type ActionResult } from "@/lib/actions/result";
import { Button } from "@/components/ui/button";
import { Field, inputClass, StatusLine } from "./field";

type Action = (prev: ActionResult<undefined>, form: FormData) => Promise<ActionResult<undefined>>;

/** A customer admin's removal request: scope, days (as on /usage), content or not. */
export function RemovalRequestForm({ action, orgId, today }: { action: Action; orgId: string; today: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const err = (f: string) => state.fieldErrors?.[f];
  const aria = (f: string) => ({ "aria-invalid": err(f) ? true : undefined, "aria-describedby": `${f}-error` });
  return (
    <form action={formAction} className="space-y-4" data-testid="removal-request-form">
      <input type="hidden" name="orgId" value={orgId} />
      <Field id="scope" label="What to remove" error={err("scope")}>
        {/* Keyed by the value: a select takes its defaultValue only when mounted, and React resets the form after each action. */}
        <select
          key={typed(state, "scope", "organization")}
          id="scope"
          name="scope"
          defaultValue={typed(state, "scope", "organization")}
          className={inputClass}
          {...aria("scope")}
        >
          <option value="organization">Everything of this organization</option>
          <option value="api_key">One API key</option>
          <option value="project">One project</option>
        </select>
      </Field>
      <Field id="apiKeyId" label="API key id (for one API key)" error={err("apiKeyId")}>
        <input id="apiKeyId" name="apiKeyId" defaultValue={typed(state, "apiKeyId")} className={inputClass} {...aria("apiKeyId")} />
      </Field>
      <Field id="projectId" label="Project id (for one project)" error={err("projectId")}>
        <input id="projectId" name="projectId" defaultValue={typed(state, "projectId")} className={inputClass} {...aria("projectId")} />
      </Field>
      <Field id="range" label="Days" error={err("range")} help="The same days as on the Usage page, in your organization's time zone.">
        <select key={typed(state, "range", "7d")} id="range" name="range" defaultValue={typed(state, "range", "7d")} className={inputClass} {...aria("range")}>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="90d">Last 90 days</option>
          <option value="custom">Custom days (below)</option>
        </select>
      </Field>
      <div className="flex flex-wrap gap-4">
        <Field id="from" label="First day" error={err("from")}>
          <input id="from" name="from" type="date" max={today} defaultValue={typed(state, "from")} className={inputClass} {...aria("from")} />
        </Field>
        <Field id="to" label="Last day" error={err("to")}>
          <input id="to" name="to" type="date" max={today} defaultValue={typed(state, "to")} className={inputClass} {...aria("to")} />
        </Field>
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input
          key={typed(state, "includeContent", "off")}
          type="checkbox"
          name="includeContent"
          defaultChecked={typed(state, "includeContent") === "on"}
          className="mt-1"
        />
        <span>Also remove content kept outside Zero Data Retention by the serving fleet</span>
      </label>
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Sending…" : "Request removal"}
        </Button>
        <StatusLine status={state.status} message={state.message} />
      </div>
    </form>
  );
}

/** Cancels a pending request. */
export function CancelRemovalForm({ action, orgId, requestId }: { action: Action; orgId: string; requestId: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="flex items-center gap-2">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="requestId" value={requestId} />
      <Button type="submit" disabled={pending}>
        Cancel request
      </Button>
      <StatusLine status={state.status} message={state.message} />
    </form>
  );
}
