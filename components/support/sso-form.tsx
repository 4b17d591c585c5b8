"use client";
/** Support staff configure an org's OpenID Connect single sign-on (the secret is never shown back). */
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FieldError, fieldProps, FormStatus, inputClass } from "@/components/ui/form";
import { IDLE, typed, type ActionResult } from "@/lib/actions/result";

type Action = (prev: ActionResult<undefined>, form: FormData) => Promise<ActionResult<undefined>>;
export type SsoFormView = { issuer: string; clientId: string; emailDomains: string[]; enforced: boolean } | null;

export function SsoForm({ action, remove, orgId, current }: { action: Action; remove: Action; orgId: string; current: SsoFormView }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const [removed, removeAction, removing] = useActionState(remove, IDLE);
  const p = "sso";
  const enforcedNow = state.status === "error" ? typed(state, "enforced") === "on" : (current?.enforced ?? false);
  return (
    <div className="space-y-4">
      <form action={formAction} className="space-y-3" noValidate data-testid="sso-form">
        <input type="hidden" name="orgId" value={orgId} />
        <div>
          <label htmlFor="sso-issuer" className="block text-sm font-medium">
            Issuer URL
          </label>
          <input
            {...fieldProps(state, p, "issuer", current?.issuer ?? "")}
            type="url"
            placeholder="https://login.example.com"
            className={`${inputClass} mt-1`}
          />
          <FieldError result={state} prefix={p} name="issuer" />
        </div>
        <div>
          <label htmlFor="sso-clientId" className="block text-sm font-medium">
            Client id
          </label>
          <input {...fieldProps(state, p, "clientId", current?.clientId ?? "")} className={`${inputClass} mt-1`} />
          <FieldError result={state} prefix={p} name="clientId" />
        </div>
        <div>
          <label htmlFor="sso-clientSecret" className="block text-sm font-medium">
            Client secret{current ? " (leave empty to keep the stored one)" : ""}
          </label>
          <input {...fieldProps(state, p, "clientSecret")} type="password" autoComplete="off" className={`${inputClass} mt-1`} />
          <FieldError result={state} prefix={p} name="clientSecret" />
        </div>
        <div>
          <label htmlFor="sso-emailDomains" className="block text-sm font-medium">
            Email domains (comma-separated)
          </label>
          <input {...fieldProps(state, p, "emailDomains", current?.emailDomains.join(", ") ?? "")} placeholder="example.com" className={`${inputClass} mt-1`} />
          <FieldError result={state} prefix={p} name="emailDomains" />
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="enforced" value="on" defaultChecked={enforcedNow} />
          Enforce: refuse passwords for these domains
        </label>
        <div>
          <label htmlFor="sso-reason" className="block text-sm font-medium">
            Reason
          </label>
          <input {...fieldProps(state, p, "reason")} className={`${inputClass} mt-1`} />
          <FieldError result={state} prefix={p} name="reason" />
        </div>
        <div>
          <label htmlFor="sso-ticketRef" className="block text-sm font-medium">
            Ticket
          </label>
          <input {...fieldProps(state, p, "ticketRef")} className={`${inputClass} mt-1`} />
          <FieldError result={state} prefix={p} name="ticketRef" />
        </div>
        <Button type="submit" variant="primary" disabled={pending}>
          Save single sign-on
        </Button>
        <FormStatus result={state} />
      </form>
      {current && (
        <form action={removeAction} className="flex flex-wrap items-end gap-2">
          <input type="hidden" name="orgId" value={orgId} />
          <div>
            <label htmlFor="sso-remove-reason" className="block text-sm font-medium">
              Reason for removing
            </label>
            <input id="sso-remove-reason" name="reason" className={`${inputClass} mt-1`} aria-describedby="sso-remove-status" />
          </div>
          <Button type="submit" disabled={removing}>
            Remove single sign-on
          </Button>
          <FormStatus result={removed} id="sso-remove-status" className="w-full" />
        </form>
      )}
    </div>
  );
}
