import { cookies } from "next/headers";
import { THEME_COOKIE, themeOf } from "@/lib/vocabulary";
import { requireCustomer } from "@/lib/auth/session";
import { getRetentionView, type RetentionView } from "@/lib/retention/queries";
import { countUnacknowledgedNotices } from "@/lib/notices/queries";
import { AppShell } from "@/components/shell/app-shell";
import { AccountBlock } from "@/components/shell/account-block";
import { NavLinks } from "@/components/shell/nav-links";
import { OrgSwitcher } from "@/components/shell/org-switcher";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { SignOutButton } from "@/components/auth/sign-out-button";
import type { EmblemProps } from "@/components/shell/zdr-emblem";
import { stateWording } from "@/lib/retention/wording";
import { setTheme, switchOrganization } from "./actions";

function emblemOf(view: RetentionView): EmblemProps | null {
  if (!view.emblem) return null;
  const p = view.policy;
  return {
    state: view.emblem,
    timeZone: view.timeZone,
    since: view.emblem === "restricted" ? (p.restriction?.since ?? null) : p.zdr.since,
    requestedBy: view.requestedBy,
    scope: p.zdr.scope,
    cacheWindowSeconds: p.cacheWindowSeconds,
    contentRetentionDays: p.contentRetentionDays,
    restrictionReason: p.restriction?.reason ?? null,
    wording: stateWording(p),
  };
}

export default async function CustomerLayout({ children }: { children: React.ReactNode }) {
  const user = await requireCustomer();
  const [view, noticeCount, jar] = await Promise.all([getRetentionView(user, { orgId: user.orgId }), countUnacknowledgedNotices(user, user.orgId), cookies()]);
  const theme = themeOf(jar.get(THEME_COOKIE)?.value);
  return (
    <AppShell
      account={
        <AccountBlock
          orgName={view.orgName}
          userName={user.name}
          role={user.role}
          emblem={emblemOf(view)}
          switcher={<OrgSwitcher memberships={user.memberships} activeOrgId={user.orgId} action={switchOrganization} />}
        />
      }
      nav={<NavLinks noticeCount={noticeCount} isAdmin={user.role === "admin"} />}
      footer={
        <div className="space-y-1">
          {/* The scheme on a row of its own: beside it, Sign out did not fit the sidebar and was cut off. */}
          <ThemeToggle theme={theme} action={setTheme} />
          <a
            href="/account/sessions"
            className="block rounded-md px-3 py-1.5 text-xs text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
          >
            Your devices
          </a>
          {user.memberships.some((m) => m.role === "admin") ? (
            <a
              href="/account/two-factor"
              className="block rounded-md px-3 py-1.5 text-xs text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
            >
              Two-factor sign-in
            </a>
          ) : null}
          <SignOutButton className="block w-full rounded-md px-3 py-1.5 text-left text-xs text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800" />
        </div>
      }
    >
      {children}
    </AppShell>
  );
}
