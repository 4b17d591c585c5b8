/**
 * Bad input to the machine API on the production server (server.ts, Next's
 * bundles): a clear 400 naming the field, never a 500 and never an echo. The
 * in-process suites call the handlers with one copy of lib/; here the error is
 * made and caught by the copies the real server runs (a bad ingest body once
 * answered 500 there: tests/unit/errors-across-copies.test.ts).
 */
import { expect, test } from "./support/fixtures";
import { openSeedDatabase, tag } from "./support/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { createServiceToken } from "@/lib/tokens/tokens";

test("ingest refuses bad bodies with a 400 that names the field and echoes nothing", async ({ request }) => {
  const handle = openSeedDatabase();
  let token: string;
  try {
    const support = (await loadUserPrincipalByEmail(handle.db, "support@provider.example"))!;
    ({ token } = await createServiceToken(support, { name: `e2e bad input ${tag()}`, scopes: ["usage:write"] }, handle.db));
  } finally {
    await handle.close();
  }
  const post = (data: unknown) =>
    request.post("/api/v1/usage/events", { headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, data });

  const canary = `canary-${tag()}`;
  for (const body of [{ events: [] }, { events: [{ id: "only-an-id" }] }, { events: [{ prompt: canary }] }]) {
    const r = await post(body);
    expect(r.status(), JSON.stringify(Object.keys(body))).toBe(400);
    expect(r.headers()["content-type"]).toContain("application/problem+json");
    const text = await r.text();
    const problem = JSON.parse(text) as { code: string; errors?: { path: string }[] };
    expect(problem.code).toBe("invalid");
    expect(problem.errors?.length ?? 0).toBeGreaterThan(0);
    expect(text).not.toContain(canary);
  }
});
