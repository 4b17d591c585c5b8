/**
 * Webhook signing secrets. A secret has to be readable to sign with, so it
 * cannot be stored as a hash like a token: it is kept encrypted with
 * AES-256-GCM under WEBHOOK_SECRET_KEY (or, unset, a key derived from
 * AUTH_SECRET with HKDF), so a database dump alone does not let anyone
 * forge a delivery. The plaintext is shown to the admin once, at creation
 * and at rotation.
 */
import crypto from "node:crypto";
import { env } from "@/lib/env";
import { derivedKey, seal, unseal } from "@/lib/sealed";

/** Standard Webhooks secret format: `whsec_` + base64 of the key bytes (24 here, the spec's minimum). */
export function generateWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64")}`;
}

/** The HMAC key bytes of a `whsec_…` secret. */
export function secretKeyBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
}

function encryptionKey(): Buffer {
  const e = env();
  if (e.WEBHOOK_SECRET_KEY) return Buffer.from(e.WEBHOOK_SECRET_KEY, "base64");
  return derivedKey("webhook signing secrets v1");
}

export function encryptSecret(secret: string, key: Buffer = encryptionKey()): string {
  return seal(secret, key);
}

export function decryptSecret(stored: string, key: Buffer = encryptionKey()): string {
  return unseal(stored, key);
}
