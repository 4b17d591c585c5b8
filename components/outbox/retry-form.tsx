"use client";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormStatus } from "@/components/ui/form";
import { IDLE, type ServerAction } from "@/lib/actions/result";

/** One dead letter's retry button, with the answer beside it. */
export function RetryDeadLetterForm({ action, messageId, label }: { action: ServerAction; messageId: number; label: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="flex items-center justify-end gap-3">
      <input type="hidden" name="messageId" value={messageId} />
      <FormStatus result={state} className="text-right" />
      {state.status === "ok" ? null : (
        <Button type="submit" disabled={pending} aria-label={`Retry ${label}`}>
          {pending ? "Retrying…" : "Retry"}
        </Button>
      )}
    </form>
  );
}
