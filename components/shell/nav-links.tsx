"use client";

import { usePathname } from "next/navigation";
import { Bell, ChartColumn, Database, Eraser, FolderKanban, Users, Webhook } from "lucide-react";

const LINKS = [
  { href: "/usage", label: "Usage", icon: ChartColumn },
  { href: "/retention", label: "Data retention", icon: Database },
  { href: "/projects", label: "Projects", icon: FolderKanban },
  { href: "/notices", label: "Notices", icon: Bell },
  { href: "/members", label: "Members", icon: Users, adminOnly: true },
  { href: "/data-removal", label: "Data removal", icon: Eraser, adminOnly: true },
  { href: "/settings/webhooks", label: "Webhooks", icon: Webhook, adminOnly: true },
] as const;

/**
 * The customer navigation. Plain anchors on purpose: each page is a fresh
 * server render, so the emblem can never be a stale copy of the layout.
 */
export function NavLinks({ noticeCount, isAdmin = false }: { noticeCount: number; isAdmin?: boolean }) {
  const pathname = usePathname();
  return (
    <ul className="space-y-0.5">
      {LINKS.filter((l) => isAdmin || !("adminOnly" in l)).map(({ href, label, icon: Icon }) => {
        const current = pathname === href || pathname.startsWith(`${href}/`);
        // The count asks for an action; members cannot acknowledge, so they get no badge they could never clear.
        const count = href === "/notices" && isAdmin && noticeCount > 0 ? noticeCount : 0;
        return (
          <li key={href}>
            <a
              href={href}
              aria-current={current ? "page" : undefined}
              className={
                "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium " +
                (current
                  ? "bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-white"
                  : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800")
              }
            >
              <Icon className="size-4 shrink-0" aria-hidden="true" />
              <span className="flex-1">{label}</span>
              {count > 0 ? (
                <span
                  data-testid="notice-count"
                  className="rounded-full bg-amber-100 px-1.5 text-xs font-semibold text-amber-900 dark:bg-amber-900 dark:text-amber-100"
                >
                  {count}
                  <span className="sr-only"> unacknowledged</span>
                </span>
              ) : null}
            </a>
          </li>
        );
      })}
    </ul>
  );
}
