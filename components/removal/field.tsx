import type { ReactNode } from "react";

/** A labelled form field with its error next to it (read out as it arrives). */
export function Field({ id, label, error, help, children }: { id: string; label: string; error?: string; help?: ReactNode; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-900 dark:text-slate-100">
        {label}
      </label>
      {children}
      {help ? (
        <p id={`${id}-help`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          {help}
        </p>
      ) : null}
      <p id={`${id}-error`} aria-live="polite" className="mt-1 text-xs text-red-700 dark:text-red-300">
        {error ?? ""}
      </p>
    </div>
  );
}

export const inputClass = "mt-1 block w-full max-w-md rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";

export function StatusLine({ status, message }: { status: string; message?: string }) {
  return (
    <p
      role="status"
      aria-live="polite"
      className={status === "ok" ? "text-sm text-emerald-700 dark:text-emerald-300" : "text-sm text-red-700 dark:text-red-300"}
    >
      {message ?? ""}
    </p>
  );
}
