/**
 * The hand-over from a finished single sign-on (lib/sso/sign-in.ts) to
 * Auth.js: the callback route proves the identity provider's answer, then
 * asks Auth.js's "sso" credentials provider for a session with a ticket that
 * names the user. A ticket is random, lives in this process for 60 seconds
 * and is spent by its first use, so the session is minted by Auth.js exactly
 * as a password sign-in's is, and nothing but the callback can ask for one.
 * Accepting an invitation as a new person (app/invite/[token]/actions.ts)
 * hands over the same way: the one-time invitation link and the password
 * just chosen are the proof, and the ticket is issued on the server for the
 * account that acceptance created, in the same request.
 */
import crypto from "node:crypto";
import { processState } from "@/lib/process-state";

const TICKET_TTL_MS = 60_000;

type Ticket = { userId: string; sessionVersion: number; expiresAt: number };
const tickets = () => processState("sso-tickets", () => new Map<string, Ticket>());

/** A one-time ticket for a user the identity provider vouched for. */
export function issueSsoTicket(user: { userId: string; sessionVersion: number }): string {
  const store = tickets();
  const now = Date.now();
  for (const [k, t] of store) if (t.expiresAt <= now) store.delete(k);
  const ticket = crypto.randomBytes(32).toString("base64url");
  store.set(ticket, { ...user, expiresAt: now + TICKET_TTL_MS });
  return ticket;
}

/** The ticket's user, once; an unknown, spent or expired ticket is null. */
export function redeemSsoTicket(ticket: unknown): { userId: string; sessionVersion: number } | null {
  if (typeof ticket !== "string" || ticket.length > 100) return null;
  const store = tickets();
  const t = store.get(ticket);
  store.delete(ticket);
  if (!t || t.expiresAt <= Date.now()) return null;
  return { userId: t.userId, sessionVersion: t.sessionVersion };
}
