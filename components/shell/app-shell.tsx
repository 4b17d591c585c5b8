import type { ReactNode } from "react";
import { ShieldCheck } from "lucide-react";
import { MenuButton, MenuPanel, MenuRoot } from "./menu";

/**
 * The frame of the customer app. From the md breakpoint up: a sidebar with the
 * account block and the navigation, then the page. On a phone: a top bar with
 * the brand, the menu button and the account block (the emblem as a compact
 * badge above the account name), the navigation behind the menu.
 */
export function AppShell({ account, nav, footer, children }: { account: ReactNode; nav: ReactNode; footer?: ReactNode; children: ReactNode }) {
  return (
    <div className="min-h-screen bg-slate-50 text-slate-900 md:flex dark:bg-slate-950 dark:text-slate-100">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:absolute focus:left-3 focus:top-3 dark:bg-slate-900"
      >
        Skip to content
      </a>
      <MenuRoot>
        <aside className="flex flex-col border-b border-slate-200 bg-white md:sticky md:top-0 md:h-screen md:w-64 md:shrink-0 md:overflow-y-auto md:border-b-0 md:border-r dark:border-slate-800 dark:bg-slate-900">
          <div className="flex items-center justify-between gap-2 px-4 pb-2 pt-3 md:pb-3 md:pt-4">
            <span className="flex items-center gap-2 text-sm font-semibold tracking-tight text-slate-900 dark:text-slate-50">
              <ShieldCheck className="size-5 text-brand-600 dark:text-brand-100" aria-hidden="true" />
              ZDR Console
            </span>
            <MenuButton />
          </div>
          <div className="px-3 pb-3 md:pb-0">{account}</div>
          <MenuPanel className="border-t border-slate-100 md:flex-1 md:border-t-0 dark:border-slate-800">
            <nav aria-label="Main" className="mt-3 px-3 md:mt-5">
              {nav}
            </nav>
            {footer ? <div className="mt-3 border-t border-slate-100 px-3 py-3 md:mt-auto dark:border-slate-800">{footer}</div> : null}
          </MenuPanel>
        </aside>
      </MenuRoot>
      <main id="main" className="min-w-0 flex-1 px-4 py-6 md:px-8 md:py-8">
        <div className="mx-auto max-w-6xl">{children}</div>
      </main>
    </div>
  );
}
