import type { Metadata } from "next";
import { eq } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { organizations } from "@/lib/db/schema";
import { requireUser } from "@/lib/auth/session";
import { listOpenSessions } from "@/lib/auth/sessions";
import { endSessionAction, signOutEverywhereAction } from "@/lib/actions/session";
import { SessionList, SignOutEverywhereButton } from "@/components/auth/session-list";
import { ButtonLink } from "@/components/ui/button";
import { formatDateTime } from "@/components/ui/format";

export const metadata: Metadata = { title: "Your devices" };
export const dynamic = "force-dynamic";

/** Every signed-in device of one's own account: sign one out, or all of them. */
export default async function SessionsPage() {
  const user = await requireUser();
  const db = getDb();
  const sessions = await listOpenSessions(db, user.userId);
  const [org] = user.orgId ? await db.select({ timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, user.orgId)) : [];
  const tz = org?.timeZone ?? "UTC";
  return (
    <main className="flex min-h-screen items-start justify-center p-6">
      <div className="w-full max-w-2xl space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8 dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">Your devices</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Where {user.email} is signed in. Times are in {tz}. A device you sign out here is asked to sign in again on its next request, and told why.
        </p>
        <SessionList
          action={endSessionAction}
          sessions={sessions.map((s) => ({
            id: s.id,
            device: s.device,
            detail: `signed in ${formatDateTime(s.createdAt, tz)}, last active ${formatDateTime(s.lastSeenAt, tz)}`,
            current: s.id === user.sessionId,
          }))}
        />
        <div className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-4 dark:border-slate-800">
          <ButtonLink href="/">Back to the console</ButtonLink>
          <SignOutEverywhereButton action={signOutEverywhereAction} count={sessions.length} />
        </div>
      </div>
    </main>
  );
}
