import { Building2 } from "lucide-react";
import type { ReactNode } from "react";
import { ZdrEmblem, type EmblemProps } from "./zdr-emblem";

export type AccountBlockProps = {
  orgName: string;
  userName: string;
  role: "admin" | "member";
  /** Present only while ZDR is active or restricted: nothing is shown when it is off or only requested. */
  emblem: EmblemProps | null;
  /** Other organizations of the user, each with a way to switch to it. */
  switcher?: ReactNode;
};

/** The account block: the emblem first, then the account name below it, as the design requires. */
export function AccountBlock({ orgName, userName, role, emblem, switcher }: AccountBlockProps) {
  return (
    <section aria-label="Account" className="space-y-2">
      {emblem ? <ZdrEmblem {...emblem} /> : null}
      <div className="flex items-start gap-2 px-1">
        <Building2 className="mt-0.5 size-4 shrink-0 text-slate-500 dark:text-slate-400" aria-hidden="true" />
        <div className="min-w-0">
          <h2 data-testid="account-name" className="truncate text-sm font-semibold text-slate-900 dark:text-slate-50">
            {orgName}
          </h2>
          <p className="truncate text-xs text-slate-600 dark:text-slate-400">
            {userName} · {role === "admin" ? "Administrator" : "Member"}
          </p>
        </div>
      </div>
      {switcher}
    </section>
  );
}
