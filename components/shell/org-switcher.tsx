import type { ServerAction } from "@/lib/actions/result";
import type { Membership } from "@/lib/auth/principal";

/** A plain list of the user's other organizations; each button posts the switch action. */
export function OrgSwitcher({ memberships, activeOrgId, action }: { memberships: Membership[]; activeOrgId: string; action: ServerAction }) {
  const others = memberships.filter((m) => m.orgId !== activeOrgId);
  if (others.length === 0) return null;
  return (
    <details className="px-1 text-xs">
      <summary className="cursor-pointer text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100">
        Switch organization ({others.length})
      </summary>
      <ul className="mt-1 space-y-0.5">
        {others.map((m) => (
          <li key={m.orgId}>
            <form action={action}>
              <input type="hidden" name="orgId" value={m.orgId} />
              <button
                type="submit"
                className="w-full truncate rounded px-2 py-1 text-left text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
              >
                {m.orgName}
              </button>
            </form>
          </li>
        ))}
      </ul>
    </details>
  );
}
