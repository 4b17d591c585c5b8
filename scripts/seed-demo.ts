/** Seeds the demo world on purpose, on any database (the README says when). */
import { bootDatabase } from "@/lib/boot";
import { runCli } from "./cli";

await runCli("seed:demo", async () => {
  const report = await bootDatabase({ seed: "always" });
  console.log(
    report.seeded ? `Seeded the demo world into ${report.database} in ${report.ms} ms.` : `The demo world is already in ${report.database}; nothing to do.`,
  );
});
