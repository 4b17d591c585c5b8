import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db";
import { isAllowed } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { twoFactorStatus } from "@/lib/auth/two-factor";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { ButtonLink } from "@/components/ui/button";
import { DisableTwoFactor, EnrolTwoFactor } from "@/components/account/two-factor-forms";
import { confirmTwoFactorAction, disableTwoFactorAction, startTwoFactorAction } from "./actions";

export const metadata: Metadata = { title: "Two-factor sign-in" };
export const dynamic = "force-dynamic";

/** Support staff land here until they have a second factor; customer admins come here to add one. */
export default async function TwoFactorPage() {
  const user = await requireUser();
  const adminOf = user.memberships.find((m) => m.role === "admin")?.orgId;
  if (!isAllowed(user, "account.twoFactor.manage", { orgId: adminOf ?? user.orgId ?? undefined })) notFound();
  const status = await twoFactorStatus(getDb(), user.userId);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-lg space-y-4 rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">Two-factor sign-in</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">Signed in as {user.email}.</p>
        {user.mustEnrolTwoFactor && (
          <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
            Support staff need a second factor: the support console opens once you have set up an authenticator app.
          </p>
        )}
        {status.enrolled ? (
          <>
            <p className="text-sm">
              Two-factor sign-in is on for your account. Recovery codes left: <strong>{status.recoveryCodesLeft}</strong>.
            </p>
            {user.isSupport ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">It is required for support staff and cannot be turned off.</p>
            ) : (
              <DisableTwoFactor disable={disableTwoFactorAction} />
            )}
            <ButtonLink href="/">Back to the console</ButtonLink>
          </>
        ) : (
          <EnrolTwoFactor start={startTwoFactorAction} confirm={confirmTwoFactorAction} />
        )}
        <div className="border-t border-slate-200 pt-3 dark:border-slate-800">
          <SignOutButton />
        </div>
      </div>
    </main>
  );
}
