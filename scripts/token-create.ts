/**
 * `npm run token:create -- --name N --scopes a,b`: creates a service token and
 * prints it once; only its hash is stored. On the embedded database it
 * refuses while the app holds the directory (lib/db/lock.ts).
 */
import { parseArgs } from "node:util";
import { env } from "@/lib/env";
import { getDbHandle } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { SERVICE_SCOPES } from "@/lib/auth/principal";
import { createServiceToken, TokenInputSchema } from "@/lib/tokens/tokens";
import { runCli } from "./cli";

const USAGE = `Usage: npm run token:create -- --name <name> --scopes <scope>[,<scope>...]
Scopes: ${SERVICE_SCOPES.join(", ")}`;

function fail(message: string): never {
  console.error(`token:create: ${message}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { name: { type: "string" }, scopes: { type: "string" }, help: { type: "boolean" } }, strict: true }).values;
} catch (err) {
  fail((err as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const input = TokenInputSchema.safeParse({
  name: args.name ?? "",
  scopes: (args.scopes ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
});
if (!input.success) {
  fail(
    input.error.issues
      .map(
        (i) =>
          `--${String(i.path[0] ?? "input")}: ${i.path[0] === "scopes" && i.code === "invalid_value" ? `unknown scope (use ${SERVICE_SCOPES.join(", ")})` : i.message}`,
      )
      .join("; "),
  );
}

await runCli("token:create", async () => {
  env();
  const handle = getDbHandle();
  await migrateDatabase(handle);
  const { token, summary } = await createServiceToken({ kind: "system", name: "token:create" }, input.data, handle.db);
  console.log(`Created service token "${summary.name}" (${summary.id}) with scopes ${summary.scopes.join(", ")} on ${handle.label}.`);
  console.log("It is shown only this once; only its hash is stored. Keep it in your secret store:\n");
  console.log(token);
});
