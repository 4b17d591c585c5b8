import type { EffectivePolicy } from "@/lib/retention/policy";
import { Badge } from "@/components/ui/badge";

const NOW: Record<"always" | "on_request" | "never", { text: string; tone: "success" | "info" | "neutral" }> = {
  always: { text: "Not kept", tone: "success" },
  on_request: { text: "Not kept when the request asks", tone: "info" },
  never: { text: "Kept under the retention window", tone: "neutral" },
};

export function EligibilityTable({ products }: { products: EffectivePolicy["products"] }) {
  return (
    <div className="overflow-x-auto">
      <table className="stack-table w-full text-sm">
        <caption className="sr-only">Zero Data Retention eligibility by product and data type</caption>
        <thead>
          <tr className="border-b border-slate-100 text-left text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <th scope="col" className="px-5 py-2 font-medium">
              Product
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Data type
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Eligible for ZDR
            </th>
            <th scope="col" className="px-5 py-2 font-medium">
              Content today
            </th>
          </tr>
        </thead>
        <tbody>
          {products.flatMap((p) =>
            p.dataTypes.map((d, i) => (
              <tr key={`${p.product}-${d.dataType}`} className="border-b border-slate-50 last:border-0 dark:border-slate-800/60">
                {i === 0 ? (
                  <th scope="row" rowSpan={p.dataTypes.length} className="px-5 py-2 text-left align-top font-medium text-slate-900 dark:text-slate-100">
                    {p.label}
                  </th>
                ) : null}
                <td data-label="Data type" className="px-3 py-2">
                  {d.dataType}
                </td>
                <td data-label="Eligible for ZDR" className="px-3 py-2">
                  {d.zdrEligible ? <Badge tone="success">Eligible</Badge> : <Badge>Not eligible</Badge>}
                </td>
                <td data-label="Content today" className="px-5 py-2">
                  <Badge tone={NOW[d.zeroRetention].tone}>{NOW[d.zeroRetention].text}</Badge>
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}
