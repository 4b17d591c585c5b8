import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { requireSupport } from "@/lib/auth/session";
import { listAccounts } from "@/lib/support/queries";
import { ZdrStateBadge } from "@/components/support/zdr-state-badge";
import { PLANS, PLAN_LABELS, PlanSchema, ZDR_SCOPE_LABELS } from "@/lib/vocabulary";

export const metadata: Metadata = { title: "Accounts" };

const Filters = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  zdr: z.enum(["off", "requested", "active", "restricted"]).optional().catch(undefined),
  plan: PlanSchema.optional().catch(undefined),
});

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function AccountsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireSupport();
  const sp = await searchParams;
  const f = Filters.parse({ q: one(sp.q), zdr: one(sp.zdr), plan: one(sp.plan) });
  const accounts = await listAccounts(actor, f);
  const select = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950";
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Accounts</h1>
      <form method="get" role="search" className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="q" className="block text-sm font-medium">
            Search
          </label>
          <input id="q" name="q" type="search" defaultValue={f.q ?? ""} placeholder="Name, slug or member email" className={`${select} w-72`} />
        </div>
        <div>
          <label htmlFor="zdr" className="block text-sm font-medium">
            ZDR state
          </label>
          <select id="zdr" name="zdr" defaultValue={f.zdr ?? ""} className={select}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="requested">Requested</option>
            <option value="restricted">Restricted</option>
            <option value="off">Off</option>
          </select>
        </div>
        <div>
          <label htmlFor="plan" className="block text-sm font-medium">
            Plan
          </label>
          <select id="plan" name="plan" defaultValue={f.plan ?? ""} className={select}>
            <option value="">Any</option>
            {[...PLANS].reverse().map((p) => (
              <option key={p} value={p}>
                {PLAN_LABELS[p]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Filter
        </button>
      </form>
      <p className="text-sm text-slate-600 dark:text-slate-400" aria-live="polite">
        {accounts.length} account{accounts.length === 1 ? "" : "s"}
      </p>
      <table className="stack-table w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th className="py-2">Organization</th>
            <th>Plan</th>
            <th>ZDR</th>
            <th>Scope</th>
            <th className="text-right">People</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={a.id} className="border-b border-slate-100 dark:border-slate-800">
              <td data-label="" className="py-2">
                <Link href={`/support/orgs/${a.id}`} className="font-medium text-brand-700 hover:underline dark:text-brand-100">
                  {a.name}
                </Link>{" "}
                <span className="text-slate-600 dark:text-slate-400">{a.slug}</span>
              </td>
              <td data-label="Plan">{PLAN_LABELS[a.plan]}</td>
              <td data-label="ZDR">
                <ZdrStateBadge zdrStatus={a.zdrStatus} restriction={a.restriction} />
              </td>
              <td data-label="Scope">{a.zdrStatus === "off" ? "—" : ZDR_SCOPE_LABELS[a.zdrScope]}</td>
              <td data-label="People" className="text-right tabular-nums">
                {a.members}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {accounts.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">No account matches these filters.</p> : null}
    </div>
  );
}
