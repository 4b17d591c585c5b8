import { expect, type Page, type APIRequestContext } from "@playwright/test";

export const DEMO_PASSWORD = "demo-password-1";

export const ROLES = {
  northwindAdmin: "admin@northwind.example",
  northwindMember: "member@northwind.example",
  contosoAdmin: "admin@contoso.example",
  contosoMember: "member@contoso.example",
  fabrikamOwner: "owner@fabrikam.example",
  support: "support@provider.example",
} as const;

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
