import type { ContentFate, ContentStatement } from "@/lib/retention/wording";

const HEADINGS: Record<ContentFate, string> = {
  never_kept: "Never kept anywhere",
  not_kept_on_request: "Never kept when the request asks (enable_logging=false)",
  kept: "Not in usage records, but kept",
};

/** What happens to each product's content, grouped; every group says exactly what is true today. */
export function ContentStatements({ groups, testId }: { groups: Record<ContentFate, ContentStatement[]>; testId?: string }) {
  return (
    <div className="space-y-4 text-sm" data-testid={testId}>
      {(Object.keys(HEADINGS) as ContentFate[]).map((fate) =>
        groups[fate].length === 0 ? null : (
          <div key={fate} data-fate={fate}>
            <h3 className="font-medium">{HEADINGS[fate]}</h3>
            <ul className="mt-1 space-y-1">
              {groups[fate].map((s) => (
                <li key={`${s.product}-${s.dataType}`}>
                  <span className="font-medium">{s.label}</span>, {s.dataType}: {s.sentence}.
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </div>
  );
}
