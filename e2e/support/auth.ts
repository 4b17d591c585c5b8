import fs from "node:fs";
import path from "node:path";
import { expect, type Page, type APIRequestContext } from "@playwright/test";
import * as OTPAuth from "otpauth";
import { DEMO_SUPPORT_TOTP_SECRET } from "@/lib/demo/seed";
import { E2E_AUTH_DIR, E2E_DATA_DIR } from "./env";

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

/** The TOTP seed of an account that has one (the demo support user); others sign in with the password alone. */
const TOTP_SECRETS: Record<string, string> = { [ROLES.support]: DEMO_SUPPORT_TOTP_SECRET };

const STEP_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A TOTP code (computed here with otpauth, as an authenticator app would) of
 * a 30-second step no earlier sign-in of this run used: the server refuses a
 * code twice (RFC 6238, 5.2), and the workers sign the support user in in
 * parallel. Steps are claimed in a file under a lock directory, so claims
 * across worker processes only ever go up; the server accepts one step ahead.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  fs.mkdirSync(E2E_DATA_DIR, { recursive: true });
  const key = secret.slice(0, 8).toLowerCase();
  const file = path.join(E2E_DATA_DIR, `totp-${key}.step`);
  const lock = `${file}.lock`;
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  for (;;) {
    try {
      fs.mkdirSync(lock);
    } catch {
      // A lock left by a worker that died holding it is taken over after 5 s.
      if (Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 5000) fs.rmSync(lock, { recursive: true, force: true });
      await sleep(50);
      continue;
    }
    const now = Math.floor(Date.now() / STEP_MS);
    let step: number | null = null;
    try {
      const last = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : -1;
      const next = Math.max(now, last + 1);
      if (next <= now + 1) {
        fs.writeFileSync(file, String(next));
        step = next;
      }
    } finally {
      fs.rmdirSync(lock);
    }
    if (step !== null) return totp.generate({ timestamp: step * STEP_MS });
    await sleep((now + 1) * STEP_MS - Date.now() + 50);
  }
}

/** Where e2e/auth.setup.ts saved the role's signed-in session. */
export function storageStateOf(role: DemoRole): string {
  return path.join(E2E_AUTH_DIR, `${role}.json`);
}

/** Signs in through the login form, as a person would: the password, then the authenticator's code for an account that has one. */
export async function signInThroughUi(
  page: Page,
  email: string,
  password = DEMO_PASSWORD,
  totpSecret: string | undefined = TOTP_SECRETS[email],
): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  // Email first: the page asks how this address signs in, then for the password.
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (totpSecret) {
    await page.getByLabel("Authentication code").fill(await freshTotpCode(totpSecret));
    await page.getByRole("button", { name: "Verify and sign in" }).click();
  }
  await expect(page).not.toHaveURL(/\/login/);
}

/** Signs an API request context in (its cookie jar keeps the session). */
export async function signInRequest(request: APIRequestContext, baseURL: string, email: string, forwardedFor?: string) {
  const secret = TOTP_SECRETS[email];
  return request.post("/api/session", {
    data: { email, password: DEMO_PASSWORD, ...(secret ? { code: await freshTotpCode(secret) } : {}) },
    headers: { origin: baseURL, ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
  });
}
