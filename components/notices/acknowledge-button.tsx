"use client";
import { useActionState } from "react";
import { IDLE, type ActionState } from "@/components/support/action-state";

export function AcknowledgeButton({ noticeId, title, action }: { noticeId: string; title: string; action: (prev: ActionState, formData: FormData) => Promise<ActionState> }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="flex items-center gap-3">
      <input type="hidden" name="noticeId" value={noticeId} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`Acknowledge: ${title}`}
        className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? "Acknowledging…" : "Acknowledge"}
      </button>
      <span aria-live="polite" className={`text-sm ${state.status === "error" ? "text-red-700 dark:text-red-400" : "text-green-700 dark:text-green-400"}`}>
        {state.status === "idle" ? "" : state.message}
      </span>
    </form>
  );
}
