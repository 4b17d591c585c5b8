/**
 * Secrets the app must read back (a webhook signing secret, a TOTP seed)
 * cannot be stored as hashes: they are sealed with AES-256-GCM under a key
 * of their own purpose, so a database dump alone reveals none of them.
 */
import crypto from "node:crypto";
import { env } from "@/lib/env";

/** A 32-byte key for one purpose, derived from AUTH_SECRET with HKDF (a different `purpose` gives an unrelated key). */
export function derivedKey(purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", env().AUTH_SECRET, "zdr-console", purpose, 32));
}

/** `v1.<iv>.<ciphertext+tag>` in base64url. */
export function seal(plaintext: string, key: Buffer): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString("base64url")}.${ct.toString("base64url")}`;
}

export function unseal(stored: string, key: Buffer): string {
  const [v, ivText, ctText] = stored.split(".");
  if (v !== "v1" || !ivText || !ctText) throw new Error("unknown secret encoding");
  const data = Buffer.from(ctText, "base64url");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(ivText, "base64url"));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
}
