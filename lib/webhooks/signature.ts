/**
 * Standard Webhooks signatures (github.com/standard-webhooks/standard-webhooks,
 * spec/standard-webhooks.md): `webhook-signature` is a space-separated list
 * of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per secret
 * in force (two during a rotation's overlap).
 */
import crypto from "node:crypto";
import { secretKeyBytes } from "./secrets";

export function signPayload(secret: string, webhookId: string, timestampSeconds: number, body: string): string {
  const mac = crypto.createHmac("sha256", secretKeyBytes(secret)).update(`${webhookId}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

export type WebhookHeaders = { "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string };

export function webhookHeaders(secrets: string[], webhookId: string, timestampSeconds: number, body: string): WebhookHeaders {
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": secrets.map((s) => signPayload(s, webhookId, timestampSeconds, body)).join(" "),
  };
}
