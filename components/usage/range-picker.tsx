import type { RangeKey } from "@/lib/usage/range";
import { cn } from "@/components/ui/cn";
import { buttonClass } from "@/components/ui/button";

const NAMED: { key: Exclude<RangeKey, "custom">; label: string }[] = [
  { key: "24h", label: "24h" },
  { key: "7d", label: "7d" },
  { key: "30d", label: "30d" },
  { key: "90d", label: "90d" },
];

/** A custom range that was refused: the message (naming From / To) and the fields it names. */
export type RangeProblem = { message: string; fields: string[] };

const inputClass = "mt-1 block w-full rounded-md border bg-white px-2 py-1 text-sm dark:bg-slate-950";

/**
 * The range lives in the URL (?range=, &from=, &to=), so a view can be
 * bookmarked and shared; plain links and a GET form, no client state.
 * `max` is today in the org's time zone: no day after it can be picked.
 * A refused custom range opens the form with what was typed and the reason
 * beside the fields.
 */
export function RangePicker({
  current,
  from,
  to,
  project,
  max,
  problem,
}: {
  current: RangeKey;
  from?: string;
  to?: string;
  project?: string | null;
  max: string;
  problem?: RangeProblem | null;
}) {
  const keep = project ? `&project=${encodeURIComponent(project)}` : "";
  const bad = (f: string) => (problem?.fields.includes(f) ? true : undefined);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <ul className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5 dark:border-slate-700 dark:bg-slate-900" aria-label="Time range">
        {NAMED.map((r) => (
          <li key={r.key}>
            <a
              href={`/usage?range=${r.key}${keep}`}
              aria-current={current === r.key ? "true" : undefined}
              className={cn(
                "block rounded-md px-3 py-1 text-sm font-medium",
                current === r.key ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
              )}
            >
              <span className="sr-only">Last </span>
              {r.label}
            </a>
          </li>
        ))}
      </ul>
      <details className="relative" open={problem ? true : undefined}>
        <summary className={cn(buttonClass(current === "custom" ? "primary" : "secondary"), "cursor-pointer list-none [&::-webkit-details-marker]:hidden")}>
          Custom
        </summary>
        <form
          method="get"
          action="/usage"
          className="absolute right-0 z-20 mt-2 w-72 space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          <input type="hidden" name="range" value="custom" />
          {project ? <input type="hidden" name="project" value={project} /> : null}
          <div className="grid grid-cols-2 gap-2">
            <label className="text-xs font-medium text-slate-700 dark:text-slate-300">
              From
              <input
                name="from"
                type="date"
                required
                max={max}
                defaultValue={from}
                aria-invalid={bad("from")}
                aria-describedby={problem ? "range-problem" : undefined}
                className={cn(inputClass, bad("from") ? "border-red-600 dark:border-red-400" : "border-slate-300 dark:border-slate-700")}
              />
            </label>
            <label className="text-xs font-medium text-slate-700 dark:text-slate-300">
              To
              <input
                name="to"
                type="date"
                required
                max={max}
                defaultValue={to}
                aria-invalid={bad("to")}
                aria-describedby={problem ? "range-problem" : undefined}
                className={cn(inputClass, bad("to") ? "border-red-600 dark:border-red-400" : "border-slate-300 dark:border-slate-700")}
              />
            </label>
          </div>
          {problem ? (
            <p id="range-problem" role="alert" className="text-sm text-red-700 dark:text-red-300">
              {problem.message}
            </p>
          ) : null}
          <button type="submit" className={buttonClass("primary", "w-full")}>
            Show range
          </button>
        </form>
      </details>
    </div>
  );
}
