import { REMOVAL_STATUS_LABELS, type RemovalStatus } from "@/lib/vocabulary";

const TONE: Record<RemovalStatus, string> = {
  pending: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  approved: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  running: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  completed: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  failed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
  rejected: "bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
  cancelled: "bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
};

export function RemovalStatusBadge({ status }: { status: RemovalStatus }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${TONE[status]}`} data-testid="removal-status">
      {REMOVAL_STATUS_LABELS[status]}
    </span>
  );
}

export function scopeText(r: { scope: string; apiKeyId: string | null; projectId: string | null }): string {
  if (r.scope === "organization") return "Whole organization";
  if (r.scope === "api_key") return `API key ${r.apiKeyId}`;
  return `Project ${r.projectId}`;
}

/** "1,234 of 5,000 left" while a job runs. */
export function progressText(p: { eventsDeleted: number; rowsRemaining: number | null } | null): string | null {
  if (!p) return null;
  const n = new Intl.NumberFormat("en-US");
  return p.rowsRemaining === null ? `${n.format(p.eventsDeleted)} removed` : `${n.format(p.eventsDeleted)} removed, ${n.format(p.rowsRemaining)} left`;
}
