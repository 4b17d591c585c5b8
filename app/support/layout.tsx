import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/session";
import { countOverdueRequests } from "@/lib/support/queries";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { MenuButton, MenuPanel, MenuRoot } from "@/components/shell/menu";
import { SupportNav } from "@/components/support/support-nav";
import { buttonClass } from "@/components/ui/button";

export const metadata: Metadata = { title: { default: "Support", template: "%s · Support · ZDR Console" } };

export default async function SupportLayout({ children }: { children: React.ReactNode }) {
  const user = await requireSupport();
  const overdue = await countOverdueRequests(user);
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:absolute focus:left-3 focus:top-3 dark:bg-slate-900"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <MenuRoot>
          <div className="mx-auto flex max-w-6xl flex-col gap-2 px-4 py-3 md:flex-row md:items-center md:gap-4 md:px-6">
            <div className="flex items-center justify-between gap-3">
              <Link href="/support" className="whitespace-nowrap font-semibold">
                ZDR Console <span className="font-normal text-slate-600 dark:text-slate-400">· Support</span>
              </Link>
              <MenuButton />
            </div>
            <MenuPanel className="gap-3 md:flex-1 md:flex-row md:items-center">
              <nav aria-label="Support">
                <SupportNav overdueRequests={overdue} />
              </nav>
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-slate-100 pt-2 text-sm md:ml-auto md:flex-nowrap md:border-t-0 md:pt-0 dark:border-slate-800">
                <span className="min-w-0 truncate text-slate-600 dark:text-slate-400" data-testid="support-user">
                  {user.email}
                </span>
                <a href="/account/two-factor" className="whitespace-nowrap text-slate-700 hover:text-brand-700 dark:text-slate-300 dark:hover:text-white">
                  Two-factor sign-in
                </a>
                <a href="/account/sessions" className="whitespace-nowrap text-slate-700 hover:text-brand-700 dark:text-slate-300 dark:hover:text-white">
                  Your devices
                </a>
                <SignOutButton className={buttonClass("ghost", "whitespace-nowrap")} />
              </div>
            </MenuPanel>
          </div>
        </MenuRoot>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 md:px-6 md:py-8">
        {children}
      </main>
    </div>
  );
}
