import type { Metadata } from "next";
import { getCurrentUser } from "@/lib/auth/session";
import { findInvitation } from "@/lib/orgs/members";
import { AcceptInvitationForm } from "@/components/members/accept-form";
import { ButtonLink } from "@/components/ui/button";
import { acceptInvitationAction } from "./actions";

export const metadata: Metadata = { title: "Invitation", referrer: "no-referrer" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [invitation, user] = await Promise.all([findInvitation(token), getCurrentUser()]);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        {!invitation ? (
          <>
            <h1 className="text-xl font-semibold">This invitation cannot be used</h1>
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
              The link is unknown, was already used, or has expired. Ask an administrator of the organization to invite you again.
            </p>
            <p className="mt-4 text-sm">
              <a href="/login" className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100">
                Already accepted? Sign in
              </a>
            </p>
          </>
        ) : (
          <>
            <h1 className="text-xl font-semibold">Join {invitation.orgName}</h1>
            <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
              You were invited as {invitation.role === "admin" ? "an administrator" : "a member"} with the address <strong>{invitation.email}</strong>.
            </p>
            {invitation.hasAccount && user?.email !== invitation.email ? (
              <div className="mt-6 space-y-3 text-sm">
                <p>
                  {user ? `You are signed in as ${user.email}. ` : ""}Sign in as {invitation.email} to accept.
                </p>
                <ButtonLink variant="primary" href={`/login?next=${encodeURIComponent(`/invite/${token}`)}`}>
                  Sign in
                </ButtonLink>
              </div>
            ) : (
              <AcceptInvitationForm action={acceptInvitationAction} token={token} newAccount={!invitation.hasAccount} ssoRequired={invitation.ssoRequired} />
            )}
          </>
        )}
      </div>
    </main>
  );
}
