/**
 * A stand-in for the server's removal runner in the crash tests: it runs due
 * removal jobs with a pause inside each batch's transaction (so a SIGKILL
 * lands mid-batch, with a delete uncommitted), printing each committed batch.
 * Exits 0 when no job is left.
 */
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { claimJob, runJob } from "@/lib/removal/jobs";

env();
const db = getDb();
const options = {
  batchSize: Number(process.env.BATCH ?? 100),
  pauseInBatchMs: Number(process.env.PAUSE_MS ?? 30),
  leaseMs: Number(process.env.LEASE_MS ?? 500),
};
for (;;) {
  const job = await claimJob(db, options);
  if (!job) break;
  console.log(`claimed ${job.id}`);
  await runJob(db, job, options);
}
console.log("done");
process.exit(0);
