/** The ZDR state of an account as support sees it: restriction first, since it overrides. */
export function ZdrStateBadge({ zdrStatus, restriction }: { zdrStatus: "off" | "requested" | "active"; restriction: "none" | "restricted" }) {
  const [label, tone] =
    restriction === "restricted"
      ? [
          `Restricted${zdrStatus === "active" ? " (ZDR active underneath)" : ""}`,
          "bg-amber-100 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200",
        ]
      : zdrStatus === "active"
        ? ["ZDR active", "bg-emerald-100 text-emerald-900 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200"]
        : zdrStatus === "requested"
          ? ["ZDR requested", "bg-sky-100 text-sky-900 ring-sky-300 dark:bg-sky-950 dark:text-sky-200"]
          : ["ZDR off", "bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-300"];
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tone}`}>{label}</span>;
}

export function formatUtc(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = typeof d === "string" ? new Date(d) : d;
  return date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
