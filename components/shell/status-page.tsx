import type { ReactNode } from "react";
import Link from "next/link";
import { ShieldCheck } from "lucide-react";

const LINKS = [
  { href: "/", label: "Go to your dashboard" },
  { href: "/retention", label: "Data retention" },
  { href: "/docs/api", label: "API reference" },
  { href: "/login", label: "Sign in as someone else" },
];

/**
 * The frame of the 404 and error pages: the brand, the message, and a way
 * back into the app. No data, no hooks: the error pages render it even when
 * the app around them failed.
 */
export function StatusPage({ code, title, children, actions }: { code?: string; title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-3xl items-center gap-2 px-4 py-3">
          <Link href="/" className="flex items-center gap-2 text-sm font-semibold tracking-tight">
            <ShieldCheck className="size-5 text-brand-600 dark:text-brand-100" aria-hidden="true" />
            ZDR Console
          </Link>
        </div>
      </header>
      <main id="main" className="flex flex-1 items-start justify-center px-4 py-10 md:items-center">
        <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm md:p-8 dark:border-slate-800 dark:bg-slate-900">
          {code ? <p className="text-sm font-medium text-slate-600 dark:text-slate-400">{code}</p> : null}
          <h1 className="mt-1 text-xl font-semibold">{title}</h1>
          <div className="mt-2 space-y-2 text-sm text-slate-700 dark:text-slate-300">{children}</div>
          {actions ? <div className="mt-6 flex flex-wrap gap-3">{actions}</div> : null}
          <nav aria-label="Pages" className="mt-6 border-t border-slate-100 pt-4 dark:border-slate-800">
            <ul className="flex flex-wrap gap-x-4 gap-y-2 text-sm">
              {LINKS.map((l) => (
                <li key={l.href}>
                  <Link href={l.href} className="font-medium text-brand-700 underline-offset-2 hover:underline dark:text-brand-100">
                    {l.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </main>
    </div>
  );
}
