import { formatLatencyBound } from "@/components/ui/format";

/** A percentile from the histogram: "≤ 7.5 s" on screen, "at most 7.5 seconds" to a screen reader. */
export function LatencyBound({ ms }: { ms: number | null }) {
  const f = formatLatencyBound(ms);
  return (
    <>
      <span aria-hidden="true" className="whitespace-nowrap">
        {f.text}
      </span>
      <span className="sr-only">{f.spoken}</span>
    </>
  );
}
