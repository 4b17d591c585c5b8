import type { ReactNode } from "react";
import { cn } from "./cn";

export function EmptyState({ icon, title, children, className }: { icon?: ReactNode; title: string; children?: ReactNode; className?: string }) {
  return (
    <div className={cn("flex flex-col items-center justify-center px-6 py-10 text-center", className)}>
      {icon ? (
        <div className="mb-3 text-slate-400 dark:text-slate-500" aria-hidden="true">
          {icon}
        </div>
      ) : null}
      <p className="text-sm font-medium text-slate-900 dark:text-slate-100">{title}</p>
      {children ? <div className="mt-1 max-w-md text-sm text-slate-600 dark:text-slate-400">{children}</div> : null}
    </div>
  );
}
