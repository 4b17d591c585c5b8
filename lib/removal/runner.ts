/**
 * The removal runner: one per process (on globalThis, like the outbox
 * worker), started with the server, kicked after an approval commits, and
 * polling every few seconds for due jobs (a crashed runner's job comes due
 * when its lease expires). Once an hour it queues the usage retention
 * purges. Several processes may each run one: jobs are claimed with SKIP
 * LOCKED and held by a lease.
 */
import { getDb, type Db } from "@/lib/db";
import { runRemovalJobs, scheduleRetentionPurges, type JobOptions } from "./jobs";
import { setRemovalKick } from "./kick";
import { processState } from "@/lib/process-state";

type Runner = { kick: () => void; stop: () => Promise<void> };
const g = processState("removalRunner", (): { value?: Runner } => ({}));

export function startRemovalRunner(
  options: JobOptions & { db?: Db; intervalMs?: number; retentionEveryMs?: number; onError?: (err: unknown) => void } = {},
): Runner {
  if (g.value) return g.value;
  const onError = options.onError ?? ((e: unknown) => console.error(`[zdr] removal runner: ${(e as Error).name}`));
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastRetention = 0;
  const retentionEvery = options.retentionEveryMs ?? 3600_000;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      const db = options.db ?? getDb();
      if (Date.now() - lastRetention >= retentionEvery) {
        lastRetention = Date.now();
        await scheduleRetentionPurges(db);
      }
      await runRemovalJobs({ ...options, db });
    })()
      .catch(onError)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, options.intervalMs ?? 5000);
  timer.unref();
  const runner: Runner = {
    kick: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      setRemovalKick(undefined);
      if (g.value === runner) g.value = undefined;
    },
  };
  g.value = runner;
  setRemovalKick(run);
  run();
  return runner;
}

export async function stopRemovalRunner(): Promise<void> {
  await g.value?.stop();
}
