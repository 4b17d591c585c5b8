/**
 * A stand-in for the app's server process in the crash test: it runs the real
 * outbox worker and, in "work" mode, commits retention changes one after the
 * other (each owing emails). The test SIGKILLs it mid-delivery, then starts it
 * again in "drain" mode, which exits once nothing is pending.
 */
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { outboxStats } from "@/lib/notify/outbox";
import { startOutboxWorker } from "@/lib/notify/worker";

const mode = process.argv[2];
env();
const db = getDb();
startOutboxWorker({ intervalMs: 200, leaseMs: Number(process.env.OUTBOX_LEASE_MS ?? 10_000) });

if (mode === "work") {
  const support = (await loadUserPrincipalByEmail(db, "support@provider.example"))!;
  const orgId = process.env.ORG_ID!;
  const cycles = Number(process.env.CYCLES ?? 10);
  let committed = 0;
  for (let i = 0; i < cycles; i++) {
    await restrictOrganization(support, { orgId, reason: "provider_discretion", note: `Crash test cycle ${i}`, ticketRef: `CRASH-${i}` });
    console.log(`committed ${++committed}`);
    await liftRestriction(support, { orgId, reason: `Crash test cycle ${i} lifted`, ticketRef: `CRASH-${i}` });
    console.log(`committed ${++committed}`);
  }
  console.log("all committed");
  // Keep delivering until killed.
  setInterval(() => {}, 1000);
} else {
  const started = Date.now();
  for (;;) {
    const s = await outboxStats(db);
    if (s.pending === 0) {
      console.log(`drained ${JSON.stringify(s)} in ${Date.now() - started} ms`);
      process.exit(0);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
