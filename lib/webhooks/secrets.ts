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
  return Buffer.from(crypto.hkdfSync("sha256", e.AUTH_SECRET, "zdr-console", "webhook signing secrets v1", 32));
}

/** `v1.<iv>.<ciphertext+tag>` in base64url. */
export function encryptSecret(secret: string, key: Buffer = encryptionKey()): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(secret, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString("base64url")}.${ct.toString("base64url")}`;
}

export function decryptSecret(stored: string, key: Buffer = encryptionKey()): string {
  const [v, ivText, ctText] = stored.split(".");
  if (v !== "v1" || !ivText || !ctText) throw new Error("unknown secret encoding");
  const data = Buffer.from(ctText, "base64url");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(ivText, "base64url"));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
}
