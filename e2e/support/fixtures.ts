/**
 * The e2e fixtures (after vercel/ai-chatbot's tests/fixtures.ts):
 *
 * - `as(who)`: a page of a fresh browser context signed in as a demo role (the
 *   session e2e/auth.setup.ts saved once) or as a seeded user (signed in
 *   through /api/session). Every context is closed after the test.
 * - `seed`: an organization (and users) of the test's own, in the run's
 *   PostgreSQL database (e2e/support/seed.ts), so a test that changes state
 *   can run in parallel with, and in any order around, every other test.
 *
 * The built-in `page` stays signed out.
 */
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import type { DbHandle } from "@/lib/db";
import { ROLES, storageStateOf, type DemoRole } from "./auth";
import { addMembership, openSeedDatabase, seedOrg, seedUser, type OrgOptions, type SeededOrg, type SeededUser } from "./seed";

export type Who = DemoRole | SeededUser;

type Seed = {
  org(options?: OrgOptions): Promise<SeededOrg>;
  user(options?: { name?: string }): Promise<SeededUser>;
  membership(orgId: string, user: SeededUser, role: "admin" | "member"): Promise<void>;
  handle: DbHandle;
};

type TestFixtures = { as: (who: Who) => Promise<Page>; seed: Seed };
type WorkerFixtures = { seedDatabase: DbHandle };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  seedDatabase: [
    async ({}, provide) => {
      const handle = openSeedDatabase();
      await provide(handle);
      await handle.close();
    },
    { scope: "worker" },
  ],
  seed: async ({ seedDatabase }, provide) => {
    const db = seedDatabase.db;
    await provide({
      org: (options) => seedOrg(db, options),
      user: (options) => seedUser(db, options),
      membership: (orgId, user, role) => addMembership(db, orgId, user.id, role),
      handle: seedDatabase,
    });
  },
  as: async ({ browser, baseURL }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async (who) => {
      if (typeof who === "string") {
        if (!(who in ROLES)) throw new Error(`unknown demo role ${who}`);
        const context = await browser.newContext({ storageState: storageStateOf(who) });
        contexts.push(context);
        return context.newPage();
      }
      const context = await browser.newContext();
      contexts.push(context);
      const r = await context.request.post("/api/session", { data: { email: who.email, password: who.password }, headers: { origin: baseURL! } });
      expect(r.status(), `sign-in of ${who.email}`).toBe(200);
      return context.newPage();
    });
    for (const c of contexts) await c.close();
  },
});

export { expect };
