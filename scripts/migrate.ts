import { env } from "@/lib/env";
import { getDbHandle } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { runCli } from "./cli";

await runCli("db:migrate", async () => {
  env();
  const handle = getDbHandle();
  const started = performance.now();
  await migrateDatabase(handle);
  console.log(`Migrated ${handle.label} in ${Math.round(performance.now() - started)} ms.`);
});
