"use client";
import { useActionState } from "react";
import { FormStatus } from "@/components/ui/form";
import { IDLE, type ServerAction } from "@/lib/actions/result";

export function AcknowledgeButton({ noticeId, orgId, title, action }: { noticeId: string; orgId: string; title: string; action: ServerAction }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="flex items-center gap-3">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="noticeId" value={noticeId} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`Acknowledge: ${title}`}
        className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? "Acknowledging…" : "Acknowledge"}
      </button>
      <FormStatus result={state} />
    </form>
  );
}
