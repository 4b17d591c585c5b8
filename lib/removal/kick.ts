/**
 * The removal runner's kick, on globalThis: domain code that commits an
 * approval kicks the runner of this process without importing it (the runner
 * imports the domain, not the other way round).
 */
import { processState } from "@/lib/process-state";
const g = processState("removalKick", (): { value?: () => void } => ({}));

export function setRemovalKick(kick: (() => void) | undefined): void {
  g.value = kick;
}

/** Called after a commit that queued a removal job: run it now rather than at the next poll. */
export function kickRemovalRunner(): void {
  g.value?.();
}
