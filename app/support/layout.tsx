import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/session";
import { SignOutButton } from "@/components/auth/sign-out-button";

export const metadata: Metadata = { title: { default: "Support", template: "%s · Support · ZDR Console" } };

const NAV = [
  { href: "/support", label: "Accounts" },
  { href: "/support/requests", label: "Requests" },
  { href: "/support/removals", label: "Removals" },
  { href: "/support/flags", label: "Flags" },
  { href: "/support/tokens", label: "Tokens" },
  { href: "/support/outbox", label: "Outbox" },
];

export default async function SupportLayout({ children }: { children: React.ReactNode }) {
  const user = await requireSupport();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-6 px-6 py-3">
          <Link href="/support" className="font-semibold">
            ZDR Console <span className="font-normal text-slate-500">· Support</span>
          </Link>
          <nav aria-label="Support" className="flex gap-4 text-sm">
            {NAV.map((n) => (
              <Link key={n.href} href={n.href} className="rounded px-1 py-0.5 text-slate-700 hover:text-brand-700 dark:text-slate-300">
                {n.label}
              </Link>
            ))}
          </nav>
          <span className="ml-auto text-sm text-slate-500" data-testid="support-user">
            {user.email}
          </span>
          <a href="/account/two-factor" className="text-sm text-slate-700 hover:text-brand-700 dark:text-slate-300">
            Two-factor sign-in
          </a>
          <a href="/account/sessions" className="text-sm text-slate-700 hover:text-brand-700 dark:text-slate-300">
            Your devices
          </a>
          <SignOutButton />
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
