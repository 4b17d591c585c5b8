/**
 * Password hashing with argon2id at OWASP ASVS 5 parameters
 * (m = 19 MiB, t = 2, p = 1). @node-rs/argon2 ships prebuilt binaries in its
 * npm packages, so it installs here without a compiler or a download.
 */
import { hash, verify } from "@node-rs/argon2";

const OPTIONS = { algorithm: 2 /* Argon2id (a const enum, not importable under isolatedModules) */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** A hash to verify against when the user is unknown, so timing does not tell who exists. */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword("not-a-real-password-for-timing-only");
  return dummy;
}
