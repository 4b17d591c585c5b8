import { buttonClass } from "@/components/ui/button";

/**
 * The project filter of /usage: a GET form, so the filtered view lives in the
 * URL (?project=) beside the range and can be bookmarked; no client state.
 */
export function ProjectFilter({
  projects,
  current,
  range,
}: {
  projects: { id: string; name: string; archived: boolean }[];
  current: string | null;
  range: Record<string, string>;
}) {
  if (projects.length === 0) return null;
  return (
    <form method="get" action="/usage" className="flex items-center gap-2">
      {Object.entries(range).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <label htmlFor="usage-project" className="text-sm font-medium">
        Project
      </label>
      <select
        id="usage-project"
        name="project"
        defaultValue={current ?? ""}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
      >
        <option value="">All projects</option>
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.archived ? `${p.name} (archived)` : p.name}
          </option>
        ))}
      </select>
      <button type="submit" className={buttonClass("secondary")}>
        Filter
      </button>
    </form>
  );
}
