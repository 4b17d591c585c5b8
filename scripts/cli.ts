/**
 * Shared by the command-line scripts: a clear one-paragraph error instead of
 * a stack trace for the failures a user can fix (environment, connection,
 * a locked embedded database), exit code 1.
 */
import { EnvError, parseEnv, type Env } from "@/lib/env";
import { DatabaseLockedError } from "@/lib/db/lock";
import { closeDb } from "@/lib/db";

/** The validated environment, or its one-paragraph error and exit code 1 (for the commands that start the server). */
export function envOrExit(): Env {
  try {
    return parseEnv();
  } catch (err) {
    console.error(err instanceof EnvError ? err.message : String(err));
    process.exit(1);
  }
}

export async function runCli(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
    await closeDb();
    process.exit(0);
  } catch (err) {
    await closeDb().catch(() => {});
    const known = err instanceof EnvError || err instanceof DatabaseLockedError || /^Cannot connect to /.test((err as Error)?.message ?? "");
    const cause = (err as { cause?: Error })?.cause;
    console.error(`${name}: ${known ? (err as Error).message : String((err as Error)?.stack ?? err)}${!known && cause ? `\nCaused by: ${cause.message}` : ""}`);
    process.exit(1);
  }
}
