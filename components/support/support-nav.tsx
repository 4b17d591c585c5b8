"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const NAV = [
  { href: "/support", label: "Accounts" },
  { href: "/support/requests", label: "Requests" },
  { href: "/support/removals", label: "Removals" },
  { href: "/support/flags", label: "Flags" },
  { href: "/support/tokens", label: "Tokens" },
  { href: "/support/outbox", label: "Outbox" },
] as const;

/** The support console's navigation: the current page marked, and how many ZDR requests are past their one-business-day target. */
export function SupportNav({ overdueRequests }: { overdueRequests: number }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-col gap-1 text-sm md:flex-row md:flex-wrap md:gap-1">
      {NAV.map((n) => {
        // An account page belongs to "Accounts".
        const current =
          n.href === "/support" ? pathname === "/support" || pathname.startsWith("/support/orgs/") : pathname === n.href || pathname.startsWith(`${n.href}/`);
        return (
          <li key={n.href}>
            <Link
              href={n.href}
              aria-current={current ? "page" : undefined}
              className={
                "flex items-center gap-1.5 rounded-md px-2 py-1.5 font-medium " +
                (current
                  ? "bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-white"
                  : "text-slate-700 hover:bg-slate-100 hover:text-brand-700 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white")
              }
            >
              {n.label}
              {n.href === "/support/requests" && overdueRequests > 0 ? (
                <span
                  data-testid="overdue-count"
                  className="rounded-full bg-red-100 px-1.5 text-xs font-semibold text-red-900 dark:bg-red-900 dark:text-red-50"
                >
                  {overdueRequests}
                  <span className="sr-only"> overdue</span>
                </span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
