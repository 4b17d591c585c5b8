/**
 * Issues the monthly statements: started with the server, it checks at start
 * and then hourly for orgs whose previous month has no statement yet. Several
 * processes may run it: a statement is inserted once (its key is org and
 * month), and only the insert that wins queues the emails.
 */
import { getDb, type Db } from "@/lib/db";
import { issueDueStatements } from "./statements";
import { processState } from "@/lib/process-state";

type Issuer = { stop: () => Promise<void> };
const g = processState("statementIssuer", (): { value?: Issuer } => ({}));

export function startStatementIssuer(options: { db?: Db; everyMs?: number; onError?: (err: unknown) => void } = {}): Issuer {
  if (g.value) return g.value;
  const onError = options.onError ?? ((e: unknown) => console.error(`[zdr] statement issuer: ${(e as Error).name}`));
  let running: Promise<unknown> | null = null;
  const run = () => {
    if (running) return;
    running = issueDueStatements(options.db ?? getDb())
      .catch(onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(run, options.everyMs ?? 3600_000);
  timer.unref();
  const issuer: Issuer = {
    async stop() {
      clearInterval(timer);
      await running;
      if (g.value === issuer) g.value = undefined;
    },
  };
  g.value = issuer;
  run();
  return issuer;
}

export async function stopStatementIssuer(): Promise<void> {
  await g.value?.stop();
}
