/**
 * Issues the monthly statements: started with the server, it checks at start
 * and then hourly for orgs whose previous month has no statement yet. Several
 * processes may run it: a statement is inserted once (its key is org and
 * month), and only the insert that wins queues the emails.
 */
import { getDb, type Db } from "@/lib/db";
import { issueDueStatements } from "./statements";

type Issuer = { stop: () => Promise<void> };
const g = globalThis as unknown as { __zdrStatementIssuer?: Issuer };

export function startStatementIssuer(options: { db?: Db; everyMs?: number; onError?: (err: unknown) => void } = {}): Issuer {
  if (g.__zdrStatementIssuer) return g.__zdrStatementIssuer;
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
      if (g.__zdrStatementIssuer === issuer) g.__zdrStatementIssuer = undefined;
    },
  };
  g.__zdrStatementIssuer = issuer;
  run();
  return issuer;
}

export async function stopStatementIssuer(): Promise<void> {
  await g.__zdrStatementIssuer?.stop();
}
