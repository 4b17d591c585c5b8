"use client";
/** One's signed-in devices (/account/sessions): the list with a Sign out per other device, and signing out everywhere after asking. */
import { useActionState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormStatus } from "@/components/ui/form";
import { IDLE, type ServerAction } from "@/lib/actions/result";

/** Ends every session of the user, on every device (a lost laptop, a shared computer), after asking. */
export function SignOutEverywhereButton({ action, count }: { action: ServerAction; count: number }) {
  return (
    <ConfirmDialog
      openLabel="Sign out on all devices…"
      openClassName={buttonClass("secondary")}
      title="Sign out on all devices?"
      description={`This ends all ${count} open ${count === 1 ? "session" : "sessions"} of your account, this one included. Each device is told why and asked to sign in again.`}
      testId="sign-out-everywhere-dialog"
    >
      {(close) => (
        <form action={action} className="flex justify-end gap-2">
          <Button type="button" onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button type="submit" variant="primary">
            Sign out everywhere
          </Button>
        </form>
      )}
    </ConfirmDialog>
  );
}

export type SessionRow = { id: string; device: string; detail: string; current: boolean };

/**
 * The user's signed-in devices, each but this one with its own Sign out
 * button (one form: the button carries the session's id), and one status line
 * that stays when the signed-out row leaves the list.
 */
export function SessionList({ action, sessions }: { action: ServerAction; sessions: SessionRow[] }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="space-y-2">
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800" aria-label="Signed-in devices">
        {sessions.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 p-4">
            <div className="min-w-0 text-sm">
              <p className="font-medium">
                {s.device}
                {s.current ? (
                  <span className="ml-2 rounded bg-emerald-50 px-1.5 py-0.5 text-xs text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
                    This device
                  </span>
                ) : null}
              </p>
              <p className="text-slate-600 dark:text-slate-400">{s.detail}</p>
            </div>
            {s.current ? null : (
              <Button type="submit" name="sessionId" value={s.id} disabled={pending} aria-label={`Sign out ${s.device}, ${s.detail}`}>
                Sign out
              </Button>
            )}
          </li>
        ))}
      </ul>
      <FormStatus result={state} id="end-session-status" />
    </form>
  );
}
