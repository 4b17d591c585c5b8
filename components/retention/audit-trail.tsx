import { ZDR_SCOPE_LABELS, type ZdrScope } from "@/lib/vocabulary";
import type { RetentionAuditEntry } from "@/lib/retention/queries";
import { formatDateTime } from "@/components/ui/format";

const ACTION_LABEL: Record<string, string> = {
  "zdr.requested": "ZDR requested",
  "zdr.request_withdrawn": "ZDR request withdrawn",
  "zdr.enabled": "ZDR enabled",
  "zdr.disabled": "ZDR disabled",
  "zdr.restricted": "ZDR restricted",
  "zdr.restriction_lifted": "Restriction lifted",
  "project.created": "Project created",
  "project.renamed": "Project renamed",
  "project.archived": "Project archived",
  "project.policy_changed": "Project retention changed",
};

function summarize(v: unknown): string {
  if (!v || typeof v !== "object") return "–";
  const o = v as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof o.zdrStatus === "string") parts.push(o.zdrStatus);
  if (typeof o.zdrScope === "string") parts.push(ZDR_SCOPE_LABELS[o.zdrScope as ZdrScope]?.toLowerCase() ?? o.zdrScope);
  if (typeof o.restriction === "string" && o.restriction !== "none") parts.push(o.restriction);
  // A project's entry: its name and the overrides it sets (null: the organization's value).
  if (typeof o.name === "string") parts.push(o.name);
  if (o.archived === true) parts.push("archived");
  if (o.zdrAllRequests === true) parts.push("ZDR for every request");
  if (typeof o.contentRetentionDays === "number") parts.push(`content ${o.contentRetentionDays} days`);
  if (typeof o.cacheWindowSeconds === "number") parts.push(`cache ${o.cacheWindowSeconds} s`);
  if (o.trainingUse === false) parts.push("no training use");
  return parts.join(", ") || "–";
}

export function AuditTrail({ entries, timeZone }: { entries: RetentionAuditEntry[]; timeZone: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="stack-table w-full text-sm">
        <caption className="sr-only">Retention audit trail, newest first</caption>
        <thead>
          <tr className="border-b border-slate-100 text-left text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <th scope="col" className="px-5 py-2 font-medium">
              When
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              What
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              By
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Change
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Reason
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              Ticket
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} className="border-b border-slate-50 align-top last:border-0 dark:border-slate-800/60">
              <td data-label="When" className="whitespace-nowrap px-5 py-2 text-slate-600 dark:text-slate-400">
                {formatDateTime(e.at, timeZone)}
              </td>
              <th scope="row" className="px-3 py-2 text-left font-medium">
                {ACTION_LABEL[e.action] ?? e.action}
              </th>
              <td data-label="By" className="px-3 py-2">
                {e.actor}
              </td>
              <td data-label="Change" className="whitespace-nowrap px-3 py-2">
                {summarize(e.before)} → {summarize(e.after)}
              </td>
              <td data-label="Reason" className="px-3 py-2">
                {e.reason ?? "–"}
              </td>
              <td data-label="Ticket" className="px-5 py-2">
                {e.ticketRef ?? "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
