import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/session";
import { listModerationFlags } from "@/lib/support/queries";
import { formatUtc } from "@/components/support/zdr-state-badge";

export const metadata: Metadata = { title: "Moderation flags" };

export default async function FlagsPage() {
  const actor = await requireSupport();
  const flags = await listModerationFlags(actor);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Moderation flags</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Flags raised by the automated moderation system, newest first, and what each did to the organization&apos;s ZDR.
        </p>
      </div>
      {flags.length === 0 ? (
        <p className="text-sm">No moderation flags.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th className="py-2">Raised</th>
              <th>Organization</th>
              <th>Category</th>
              <th>Severity</th>
              <th>Effect</th>
            </tr>
          </thead>
          <tbody>
            {flags.map((f) => (
              <tr key={f.id} className="border-b border-slate-100 dark:border-slate-800">
                <td className="py-2">{formatUtc(f.createdAt)}</td>
                <td>
                  <Link href={`/support/orgs/${f.orgId}`} className="text-brand-700 hover:underline dark:text-brand-100">
                    {f.orgName}
                  </Link>
                </td>
                <td>{f.category}</td>
                <td>{f.severity}</td>
                <td>{f.effect}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
