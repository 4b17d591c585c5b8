"use client";
/**
 * Enrolment in two-factor sign-in: a button starts it (a new seed, shown as
 * a QR code and as text), the first code confirms it, and the recovery codes
 * appear once. Turning it off (customer admins) asks for a current code.
 */
import { useActionState } from "react";
import { Button, ButtonLink } from "@/components/ui/button";
import { FieldError, FormStatus, inputClass } from "@/components/ui/form";
import { IDLE, type ActionResult } from "@/lib/actions/result";

type Started = { secret: string; otpauthUri: string; qrDataUrl: string };
type Confirmed = { recoveryCodes: string[] };
type Action<D> = (prev: ActionResult<D>, form: FormData) => Promise<ActionResult<D>>;

function CodeField({ result, prefix, label }: { result: ActionResult<unknown>; prefix: string; label: string }) {
  return (
    <div>
      <label htmlFor={`${prefix}-code`} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={`${prefix}-code`}
        name="code"
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={12}
        required
        className={`${inputClass} mt-1 max-w-40 font-mono`}
        aria-invalid={result.fieldErrors?.code ? true : undefined}
        aria-describedby={`${prefix}-code-error`}
      />
      <FieldError result={result} prefix={prefix} name="code" />
    </div>
  );
}

export function EnrolTwoFactor({ start, confirm }: { start: Action<Started>; confirm: Action<Confirmed> }) {
  const [started, startAction, starting] = useActionState(start, IDLE);
  const [confirmed, confirmAction, confirming] = useActionState(confirm, IDLE);
  const codes = confirmed.status === "ok" ? confirmed.data?.recoveryCodes : undefined;
  if (codes) {
    return (
      <div className="space-y-3">
        <FormStatus result={confirmed} />
        <div className="rounded-lg border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
          <h2 className="text-sm font-semibold">Recovery codes</h2>
          <p className="mt-1 text-sm">Each code signs you in once if you lose your authenticator. Keep them somewhere safe; they are not shown again.</p>
          <ul data-testid="recovery-codes" className="mt-2 grid grid-cols-2 gap-1 font-mono text-sm">
            {codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </div>
        <ButtonLink variant="primary" href="/">
          I have saved them, continue
        </ButtonLink>
      </div>
    );
  }
  const data = started.status === "ok" ? started.data : undefined;
  return (
    <div className="space-y-4">
      {!data && (
        <form action={startAction} className="space-y-2">
          <Button type="submit" variant="primary" disabled={starting}>
            {starting ? "Preparing…" : "Set up an authenticator app"}
          </Button>
          <FormStatus result={started} />
        </form>
      )}
      {data && (
        <>
          <p className="text-sm">{started.message}</p>
          {/* eslint-disable-next-line @next/next/no-img-element -- a data URL made on the server; nothing to optimise */}
          <img
            src={data.qrDataUrl}
            alt="QR code of the authenticator set-up key"
            width={192}
            height={192}
            className="rounded border border-slate-200 bg-white p-2"
          />
          <p className="text-sm">
            Cannot scan? Enter this key in the app (time-based, 6 digits, 30 seconds):{" "}
            <code data-testid="totp-secret" className="break-all rounded bg-slate-100 px-1 font-mono dark:bg-slate-800">
              {data.secret}
            </code>
          </p>
          <form action={confirmAction} className="space-y-2" noValidate>
            <CodeField result={confirmed} prefix="enrol" label="Code from the app" />
            <Button type="submit" variant="primary" disabled={confirming}>
              {confirming ? "Checking…" : "Turn on two-factor sign-in"}
            </Button>
            <FormStatus result={confirmed} />
          </form>
        </>
      )}
    </div>
  );
}

export function DisableTwoFactor({ disable }: { disable: Action<undefined> }) {
  const [result, formAction, pending] = useActionState(disable, IDLE);
  return (
    <form action={formAction} className="space-y-2" noValidate>
      <CodeField result={result} prefix="disable" label="Current code from your authenticator app" />
      <Button type="submit" disabled={pending}>
        {pending ? "Turning off…" : "Turn off two-factor sign-in"}
      </Button>
      <FormStatus result={result} />
    </form>
  );
}
