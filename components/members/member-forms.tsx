"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { IDLE_MEMBER_FORM, type MemberFormState } from "./form-state";

type Action = (prev: MemberFormState, form: FormData) => Promise<MemberFormState>;

function Status({ state, id }: { state: MemberFormState; id?: string }) {
  return (
    <p id={id} aria-live="polite" className={state.ok ? "text-sm text-emerald-700 dark:text-emerald-300" : "text-sm text-red-700 dark:text-red-300"}>
      {state.message}
    </p>
  );
}

const field = "block rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950 aria-[invalid=true]:border-red-600";

export function InviteForm({ action }: { action: Action }) {
  const [state, formAction, pending] = useActionState(action, IDLE_MEMBER_FORM);
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="invite-email" className="block text-sm font-medium">Email</label>
        <input id="invite-email" name="email" type="email" required autoComplete="off" className={`${field} mt-1 w-72`}
          aria-invalid={state.fields?.includes("email") || undefined} aria-describedby="invite-status" />
      </div>
      <div>
        <label htmlFor="invite-role" className="block text-sm font-medium">Role</label>
        <select id="invite-role" name="role" defaultValue="member" className={`${field} mt-1`}>
          <option value="member">Member</option>
          <option value="admin">Administrator</option>
        </select>
      </div>
      <Button type="submit" variant="primary" disabled={pending}>{pending ? "Sending…" : "Send invitation"}</Button>
      <div className="basis-full"><Status state={state} id="invite-status" /></div>
    </form>
  );
}

export function RoleForm({ action, userId, role, name }: { action: Action; userId: string; role: "admin" | "member"; name: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE_MEMBER_FORM);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <label className="sr-only" htmlFor={`role-${userId}`}>Role of {name}</label>
      <select id={`role-${userId}`} name="role" defaultValue={role} className={field}>
        <option value="member">Member</option>
        <option value="admin">Administrator</option>
      </select>
      <Button type="submit" disabled={pending} aria-label={`Save role of ${name}`}>Save</Button>
      <Status state={state} />
    </form>
  );
}

/** Two steps, so a slip of the keyboard cannot remove someone. */
export function RemoveForm({ action, hidden, label, confirmText }: { action: Action; hidden: Record<string, string>; label: string; confirmText: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE_MEMBER_FORM);
  return (
    <details className="group">
      <summary className="cursor-pointer list-none rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950">{label}</summary>
      <form action={formAction} className="mt-2 flex flex-wrap items-center gap-2">
        {Object.entries(hidden).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
        <span className="text-sm">{confirmText}</span>
        <Button type="submit" disabled={pending} className="border-red-300 text-red-800 dark:text-red-200">Confirm</Button>
        <Status state={state} />
      </form>
    </details>
  );
}
