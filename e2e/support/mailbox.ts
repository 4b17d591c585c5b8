import fs from "node:fs";
import type { SunkMessage } from "../../tests/helpers/smtp-sink";
import { E2E_MAILBOX } from "./env";

/** Every message the run's SMTP sink received so far (e2e/global-setup.ts writes them). */
export function mailbox(): SunkMessage[] {
  const text = fs.existsSync(E2E_MAILBOX) ? fs.readFileSync(E2E_MAILBOX, "utf8") : "";
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SunkMessage);
}

/** The messages addressed to `to` (a spec's own users, so no other spec's mail). */
export function mailTo(to: string): SunkMessage[] {
  return mailbox().filter((m) => m.to.includes(to));
}

export async function waitForMail(predicate: (m: SunkMessage) => boolean, timeoutMs = 20_000): Promise<SunkMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = mailbox().find(predicate);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no such mail within ${timeoutMs} ms (${mailbox().length} messages in the mailbox)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A message's text with quoted-printable soft line breaks undone. */
export function mailText(m: SunkMessage): string {
  return m.raw.replace(/=\r?\n/g, "");
}
