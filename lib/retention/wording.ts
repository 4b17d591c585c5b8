/**
 * What /retention says about content, derived from the effective policy and
 * nothing else: "never kept anywhere" only for the product data types ZDR
 * covers right now; for everything else, how long it IS kept. A compliance
 * officer reads this as a promise, so it is never broader than the truth.
 */
import type { EffectivePolicy } from "./policy";

export type ContentFate = "never_kept" | "not_kept_on_request" | "kept";
export type ContentStatement = { product: string; label: string; dataType: string; fate: ContentFate; sentence: string };

const days = (n: number) => (n === 0 ? "deleted at once" : `kept ${n} day${n === 1 ? "" : "s"}`);

/** One statement per product and data type, in the policy's order. */
export function contentStatements(p: EffectivePolicy): ContentStatement[] {
  const kept = `not in usage records, but ${days(p.contentRetentionDays)}${p.contentRetentionDays > 0 ? " (plus up to 30 days in backups)" : ""}${p.trainingUse ? ", and may be used for training" : ""}`;
  return p.products.flatMap((product) =>
    product.dataTypes.map((d) => {
      const fate: ContentFate = d.zeroRetention === "always" ? "never_kept" : d.zeroRetention === "on_request" ? "not_kept_on_request" : "kept";
      const sentence =
        fate === "never_kept"
          ? "never kept anywhere: only request metadata is recorded"
          : fate === "not_kept_on_request"
            ? `never kept anywhere when the request sets enable_logging=false; otherwise ${kept}`
            : kept;
      return { product: product.product, label: product.label, dataType: d.dataType, fate, sentence };
    }),
  );
}

/** The statements grouped by what happens to the content, for a short summary. */
export function contentSummary(p: EffectivePolicy): Record<ContentFate, ContentStatement[]> {
  const out: Record<ContentFate, ContentStatement[]> = { never_kept: [], not_kept_on_request: [], kept: [] };
  for (const s of contentStatements(p)) out[s.fate].push(s);
  return out;
}
