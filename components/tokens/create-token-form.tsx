"use client";
import { useActionState } from "react";
import type { CreateTokenState } from "./create-token-state";

const SCOPES = [
  { id: "usage:write", help: "report usage metadata (POST /api/v1/usage/events)" },
  { id: "policy:read", help: "read retention policies (GET /api/v1/orgs/{orgId}/retention-policy)" },
  { id: "moderation:write", help: "flag organizations, and restrict them (POST /api/v1/moderation/flags)" },
  { id: "removal:read", help: "take content removal orders (GET /api/v1/removal-orders)" },
  { id: "removal:write", help: "report removal orders carried out (POST /api/v1/removal-orders/{id}/completion)" },
];

export function CreateTokenForm({ action }: { action: (prev: CreateTokenState, data: FormData) => Promise<CreateTokenState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" } as CreateTokenState);
  const errors = state.status === "error" ? state.errors : {};
  const values = state.status === "error" ? state.values : { name: "", scopes: [] as string[] };
  return (
    <div className="space-y-4">
      {state.status === "created" && (
        <div role="status" className="rounded-lg border border-emerald-300 bg-emerald-50 p-4 text-sm dark:border-emerald-800 dark:bg-emerald-950">
          <p className="font-medium">Token &ldquo;{state.name}&rdquo; created with {state.scopes.join(", ")}.</p>
          <p className="mt-1">Copy it now: it is shown only this once and cannot be recovered (only its hash is stored).</p>
          <code data-testid="new-token" className="mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900">
            {state.token}
          </code>
        </div>
      )}
      <form action={formAction} className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900" noValidate>
        <div>
          <label htmlFor="token-name" className="block text-sm font-medium">Name</label>
          <input
            id="token-name"
            name="name"
            required
            maxLength={80}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? "token-name-error" : undefined}
            defaultValue={values.name}
            placeholder="e.g. serving fleet eu-west"
            className="mt-1 block w-full max-w-md rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950"
          />
          <p id="token-name-error" aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-400">{errors.name}</p>
        </div>
        <fieldset aria-describedby="token-scopes-error">
          <legend className="text-sm font-medium">Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s.id} className="mt-1 flex items-start gap-2 text-sm">
              <input type="checkbox" name="scopes" value={s.id} defaultChecked={values.scopes.includes(s.id)} className="mt-1" />
              <span>
                <code>{s.id}</code> <span className="text-slate-600 dark:text-slate-400">— {s.help}</span>
              </span>
            </label>
          ))}
          <p id="token-scopes-error" aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-400">{errors.scopes}</p>
        </fieldset>
        <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
          {pending ? "Creating…" : "Create token"}
        </button>
      </form>
    </div>
  );
}
