import path from "node:path";
import { expect, type Page, type APIRequestContext } from "@playwright/test";
import { E2E_AUTH_DIR } from "./env";

export const DEMO_PASSWORD = "demo-password-1";

export const ROLES = {
  northwindAdmin: "admin@northwind.example",
  northwindMember: "member@northwind.example",
  contosoAdmin: "admin@contoso.example",
  contosoMember: "member@contoso.example",
  fabrikamOwner: "owner@fabrikam.example",
  support: "support@provider.example",
} as const;
export type DemoRole = keyof typeof ROLES;

/** Where e2e/auth.setup.ts saved the role's signed-in session. */
export function storageStateOf(role: DemoRole): string {
  return path.join(E2E_AUTH_DIR, `${role}.json`);
}

/** Signs in through the login form, as a person would. */
export async function signInThroughUi(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** Signs an API request context in (its cookie jar keeps the session). */
export async function signInRequest(request: APIRequestContext, baseURL: string, email: string, forwardedFor?: string) {
  return request.post("/api/session", {
    data: { email, password: DEMO_PASSWORD },
    headers: { origin: baseURL, ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
  });
}
