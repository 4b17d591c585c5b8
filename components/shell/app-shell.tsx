import type { ReactNode } from "react";
import { ShieldCheck } from "lucide-react";
import { cn } from "@/components/ui/cn";

/** The frame of the customer app: a sidebar with the account block and navigation, then the page. */
export function AppShell({
  dark,
  account,
  nav,
  footer,
  children,
}: {
  dark: boolean;
  account: ReactNode;
  nav: ReactNode;
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className={cn(dark && "dark")}>
      <div className="min-h-screen bg-slate-50 text-slate-900 md:flex dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#main"
          className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:absolute focus:left-3 focus:top-3 dark:bg-slate-900"
        >
          Skip to content
        </a>
        <aside className="flex flex-col border-b border-slate-200 bg-white md:sticky md:top-0 md:h-screen md:w-64 md:shrink-0 md:border-b-0 md:border-r dark:border-slate-800 dark:bg-slate-900">
          <div className="flex items-center gap-2 px-4 pb-3 pt-4 text-sm font-semibold tracking-tight text-slate-900 dark:text-slate-50">
            <ShieldCheck className="size-5 text-brand-600 dark:text-brand-100" aria-hidden="true" />
            ZDR Console
          </div>
          <div className="px-3">{account}</div>
          <nav aria-label="Main" className="mt-5 px-3">
            {nav}
          </nav>
          {footer ? <div className="mt-auto border-t border-slate-100 px-3 py-3 dark:border-slate-800">{footer}</div> : null}
        </aside>
        <main id="main" className="min-w-0 flex-1 px-4 py-6 md:px-8 md:py-8">
          <div className="mx-auto max-w-6xl">{children}</div>
        </main>
      </div>
    </div>
  );
}
