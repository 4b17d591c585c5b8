/**
 * `npm run audit:verify`: walks the audit chain of the configured database.
 * Exit 0 when every entry verifies; exit 2 naming the first broken entry.
 */
import { env } from "@/lib/env";
import { closeDb, getDbHandle } from "@/lib/db";
import { verifyAuditChain } from "@/lib/audit/chain";
import { runCli } from "./cli";

await runCli("audit:verify", async () => {
  env();
  const handle = getDbHandle();
  const started = performance.now();
  const report = await verifyAuditChain(handle.db);
  const ms = Math.round(performance.now() - started);
  if (report.ok) {
    console.log(`Audit chain intact: ${report.entries} entries verified in ${ms} ms (${handle.label}).`);
    return;
  }
  console.error(`Audit chain BROKEN at entry id ${report.brokenAt}: ${report.problem}. ${report.entries - 1} entries before it verified (${handle.label}).`);
  await closeDb();
  // 2, not 1: a broken chain is a finding, not a failure to run.
  process.exit(2);
});
