/**
 * The pieces every form of the app shares: a field's props wired to the
 * action's result (its error next to it, what was typed kept after a
 * failure) and the form's status line, read out as it changes.
 */
import type { ActionResult } from "@/lib/actions/result";
import { typed } from "@/lib/actions/result";

export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600 dark:border-slate-700 dark:bg-slate-950";

/** id, name, error wiring and the value typed before a failed submit. */
export function fieldProps(result: ActionResult<unknown>, prefix: string, name: string, fallback = "") {
  const invalid = Boolean(result.fieldErrors?.[name]);
  return {
    id: `${prefix}-${name}`,
    name,
    defaultValue: typed(result, name, fallback),
    "aria-invalid": invalid || undefined,
    "aria-describedby": `${prefix}-${name}-error`,
  } as const;
}

/** The error of one field, where fieldProps points aria-describedby. */
export function FieldError({ result, prefix, name }: { result: ActionResult<unknown>; prefix: string; name: string }) {
  return (
    <p id={`${prefix}-${name}-error`} aria-live="polite" className="mt-1 text-sm text-red-700 empty:hidden dark:text-red-400">
      {result.fieldErrors?.[name] ?? ""}
    </p>
  );
}

/** The form's one status line: success in green, failure in red; announced politely. */
export function FormStatus({ result, id, className = "" }: { result: ActionResult<unknown>; id?: string; className?: string }) {
  const tone = result.status === "ok" ? "text-emerald-700 dark:text-emerald-300" : "text-red-700 dark:text-red-400";
  return (
    <p id={id} role={result.status === "ok" ? "status" : undefined} aria-live="polite" className={`text-sm ${tone} ${className}`}>
      {result.status === "idle" ? "" : result.message}
      {result.conflict ? " The page now shows the current state." : ""}
    </p>
  );
}

/** A password being chosen (reset, a new account): 12 characters at least, the reason beside it, never refilled after an error. */
export function NewPasswordField({ result, prefix, label, help }: { result: ActionResult<unknown>; prefix: string; label: string; help: string }) {
  const password = { ...fieldProps(result, prefix, "password"), defaultValue: undefined };
  const helpId = `${prefix}-password-help`;
  return (
    <div>
      <label htmlFor={password.id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        {...password}
        type="password"
        required
        minLength={12}
        autoComplete="new-password"
        className={`mt-1 ${inputClass}`}
        aria-describedby={`${password.id}-error ${helpId}`}
      />
      <p id={helpId} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        {help}
      </p>
      <FieldError result={result} prefix={prefix} name="password" />
    </div>
  );
}
