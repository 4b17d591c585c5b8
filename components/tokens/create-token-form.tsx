"use client";
import { useActionState } from "react";
import { FieldError, fieldProps } from "@/components/ui/form";
import { CopyButton } from "@/components/ui/copy-button";
import { IDLE, typedAll, type ActionResult, type ServerAction } from "@/lib/actions/result";

const SCOPES = [
  { id: "usage:write", help: "report usage metadata (POST /api/v1/usage/events)" },
  { id: "policy:read", help: "read retention policies (GET /api/v1/orgs/{orgId}/retention-policy)" },
  { id: "moderation:write", help: "flag organizations, and restrict them (POST /api/v1/moderation/flags)" },
  { id: "removal:read", help: "take content removal orders (GET /api/v1/removal-orders)" },
  { id: "removal:write", help: "report removal orders carried out (POST /api/v1/removal-orders/{id}/completion)" },
];

export type CreatedToken = { token: string; name: string; scopes: readonly string[] };

export function CreateTokenForm({ action }: { action: ServerAction<CreatedToken> }) {
  const [state, formAction, pending] = useActionState(action, IDLE as ActionResult<CreatedToken>);
  const name = fieldProps(state, "token", "name");
  const chosen = typedAll(state, "scopes") ?? [];
  return (
    <div className="space-y-4">
      {state.status === "ok" && state.data ? (
        <div role="status" className="rounded-lg border border-emerald-300 bg-emerald-50 p-4 text-sm dark:border-emerald-800 dark:bg-emerald-950">
          <p className="font-medium">{state.message}</p>
          <p className="mt-1">Copy it now: it is shown only this once and cannot be recovered (only its hash is stored).</p>
          <code data-testid="new-token" className="mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900">
            {state.data.token}
          </code>
          <p className="mt-2">
            <CopyButton value={state.data.token} label="Copy the token" />
          </p>
        </div>
      ) : null}
      <form
        action={formAction}
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
        noValidate
        key={state.status === "error" ? `e-${chosen.join()}` : "ok"}
      >
        <div>
          <label htmlFor={name.id} className="block text-sm font-medium">
            Name
          </label>
          <input
            {...name}
            required
            maxLength={80}
            placeholder="e.g. serving fleet eu-west"
            className="mt-1 block w-full max-w-md rounded-md border border-slate-300 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600 dark:border-slate-700 dark:bg-slate-950"
          />
          <FieldError result={state} prefix="token" name="name" />
        </div>
        <fieldset aria-describedby="token-scopes-error">
          <legend className="text-sm font-medium">Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s.id} className="mt-1 flex items-start gap-2 text-sm">
              <input type="checkbox" name="scopes" value={s.id} defaultChecked={chosen.includes(s.id)} className="mt-1" />
              <span>
                <code>{s.id}</code> <span className="text-slate-600 dark:text-slate-400">— {s.help}</span>
              </span>
            </label>
          ))}
          <FieldError result={state} prefix="token" name="scopes" />
        </fieldset>
        {state.status === "error" && !state.fieldErrors ? (
          <p aria-live="polite" className="text-sm text-red-700 dark:text-red-400">
            {state.message}
          </p>
        ) : null}
        <button
          type="submit"
          disabled={pending}
          className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        >
          {pending ? "Creating…" : "Create token"}
        </button>
      </form>
    </div>
  );
}
