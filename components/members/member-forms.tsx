"use client";

import { useActionState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FieldError, FormStatus, fieldProps } from "@/components/ui/form";
import { IDLE, typed, type ServerAction } from "@/lib/actions/result";

const field =
  "block rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950 aria-[invalid=true]:border-red-600";

/** Every form here carries the organization it was rendered for; the action refuses it in another one. */
export function InviteForm({ action, orgId }: { action: ServerAction; orgId: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const email = fieldProps(state, "invite", "email");
  const role = fieldProps(state, "invite", "role", "member");
  return (
    <form action={formAction} className="flex flex-wrap items-start gap-3" noValidate>
      <input type="hidden" name="orgId" value={orgId} />
      <div>
        <label htmlFor={email.id} className="block text-sm font-medium">
          Email
        </label>
        <input {...email} type="email" required autoComplete="off" className={`${field} mt-1 w-72`} />
        <FieldError result={state} prefix="invite" name="email" />
      </div>
      <div>
        <label htmlFor={role.id} className="block text-sm font-medium">
          Role
        </label>
        <select {...role} key={`${state.status}-${role.defaultValue}`} className={`${field} mt-1`}>
          <option value="member">Member</option>
          <option value="admin">Administrator</option>
        </select>
        <FieldError result={state} prefix="invite" name="role" />
      </div>
      <Button type="submit" variant="primary" disabled={pending} className="mt-6">
        {pending ? "Sending…" : "Send invitation"}
      </Button>
      <div className="basis-full">
        <FormStatus result={state} id="invite-status" />
      </div>
    </form>
  );
}

export function RoleForm({
  action,
  orgId,
  userId,
  role,
  name,
}: {
  action: ServerAction;
  orgId: string;
  userId: string;
  role: "admin" | "member";
  name: string;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const chosen = typed(state, "role", role);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="userId" value={userId} />
      <label className="sr-only" htmlFor={`role-${userId}`}>
        Role of {name}
      </label>
      <select id={`role-${userId}`} key={`${state.status}-${chosen}`} name="role" defaultValue={chosen} className={field}>
        <option value="member">Member</option>
        <option value="admin">Administrator</option>
      </select>
      <Button type="submit" disabled={pending} aria-label={`Save role of ${name}`}>
        Save
      </Button>
      <FormStatus result={state} />
    </form>
  );
}

/**
 * Two steps, so a slip of the keyboard cannot remove someone: the button opens
 * a confirmation dialog whose focus starts on Cancel.
 */
export function RemoveForm({
  action,
  orgId,
  hidden,
  label,
  confirmText,
  subject,
}: {
  action: ServerAction;
  orgId: string;
  hidden: Record<string, string>;
  label: string;
  confirmText: string;
  subject: string;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <div>
      <ConfirmDialog
        openLabel={label}
        openAriaLabel={`${label} ${subject}`}
        openClassName="rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950"
        title={`${label} ${subject}?`}
        description={confirmText}
      >
        {(close) => (
          <form action={formAction} className="flex flex-wrap items-center justify-end gap-2">
            <input type="hidden" name="orgId" value={orgId} />
            {Object.entries(hidden).map(([k, v]) => (
              <input key={k} type="hidden" name={k} value={v} />
            ))}
            <button type="button" onClick={close} data-autofocus className={buttonClass("secondary")}>
              Cancel
            </button>
            <Button type="submit" disabled={pending} onClick={() => setTimeout(close, 0)} className="border-red-300 text-red-800 dark:text-red-200">
              {label}
            </Button>
          </form>
        )}
      </ConfirmDialog>
      <FormStatus result={state} />
    </div>
  );
}

/** One step: a new link replaces the pending one (nothing is lost that was not already sent). */
export function ResendForm({ action, orgId, invitationId, email }: { action: ServerAction; orgId: string; invitationId: string; email: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="invitationId" value={invitationId} />
      <Button type="submit" disabled={pending} aria-label={`Resend the invitation to ${email}`}>
        {pending ? "Sending…" : "Resend"}
      </Button>
      <FormStatus result={state} />
    </form>
  );
}
