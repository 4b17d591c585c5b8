/**
 * Every page and route handler × every kind of visitor, with the expected
 * answer in a table. The routes are read from app/ on disk: a new page or
 * route without a row here fails the first test, and so does a row whose
 * route is gone.
 */
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { ROLES, signInRequest } from "./support/auth";
import { MATRIX, type Outcome, type Role } from "./support/access-expectations";
import { routeFiles } from "../tests/helpers/routes";

test("every route on disk has a row, and every row a route", () => {
  expect(Object.keys(MATRIX).sort()).toEqual([...routeFiles().keys()].sort());
});

const SIGN_INS: Record<Exclude<Role, "anonymous">, string> = {
  member: ROLES.northwindMember,
  admin: ROLES.northwindAdmin,
  otherAdmin: ROLES.contosoAdmin,
  support: ROLES.support,
};

async function contextFor(role: Role, baseURL: string): Promise<APIRequestContext> {
  const ctx = await playwrightRequest.newContext({ baseURL });
  if (role !== "anonymous") {
    const r = await signInRequest(ctx, baseURL, SIGN_INS[role]);
    expect(r.status(), `sign-in of ${role}`).toBe(200);
  }
  return ctx;
}

function outcomeOf(status: number, finalUrl: string): Outcome | `status ${number}` {
  if (new URL(finalUrl).pathname === "/login" && status === 200) return "login";
  if (status >= 200 && status < 300) return "ok";
  if (status === 403 || status === 404) return "denied";
  if (status === 401) return "unauthorized";
  if (status === 400) return "invalid";
  return `status ${status}`;
}

test("each role gets exactly the expected answer on every route", async ({ baseURL }) => {
  const support = await contextFor("support", baseURL!);
  const accounts = await (await support.get("/support")).text();
  const northwind = /\/support\/orgs\/([0-9a-f-]{36})[^>]*>\s*Northwind Health/.exec(accounts)?.[1];
  expect(northwind, "Northwind's id from the support console").toBeTruthy();
  const ids = { northwind: northwind! };

  const surprises: string[] = [];
  let cells = 0;
  for (const role of ["anonymous", "member", "admin", "otherAdmin", "support"] as Role[]) {
    const ctx = role === "support" ? support : await contextFor(role, baseURL!);
    for (const [route, row] of Object.entries(MATRIX)) {
      const url = row.url(ids);
      const manual = row.redirects === "manual" ? { maxRedirects: 0 } : {};
      const res = row.method === "POST" ? await ctx.post(url, { data: row.body, headers: { origin: baseURL! }, ...manual }) : await ctx.get(url, manual);
      cells++;
      const location = res.headers()["location"];
      let got: string =
        res.status() >= 300 && res.status() < 400 && location ? outcomeOf(200, new URL(location, baseURL).toString()) : outcomeOf(res.status(), res.url());
      // A 200 that is the administrators-only page is a refusal: it names the admins and holds nothing of the page itself.
      if (got === "ok" && row.method !== "POST") {
        const body = await res.text();
        if (body.includes('data-testid="admin-only"')) {
          got =
            body.includes("Only administrators of Northwind Health can open this page.") &&
            body.includes("admin@northwind.example") &&
            !body.includes("Invite someone") &&
            !body.includes("Request a removal") &&
            !body.includes("Add an endpoint")
              ? "refused"
              : "a refusal page that misses the admins or shows the page";
        }
      }
      if (got !== row.expect[role]) surprises.push(`${role} ${row.method ?? "GET"} ${route}: expected ${row.expect[role]}, got ${got}`);
    }
  }
  console.log(`access matrix: ${cells} cells, ${surprises.length} unexpected`);
  expect(surprises).toEqual([]);
});
