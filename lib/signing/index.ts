/**
 * The one signer of the documents customers verify without trusting us:
 * removal certificates, audit checkpoints, monthly statements. Each is a
 * compact JWS (`alg: EdDSA`, Ed25519, `kid` in the protected header) that any
 * JOSE library verifies against the JWKS published at /.well-known/jwks.json.
 *
 * Why jose: it is the maintained, dependency-free JOSE implementation for
 * Node and browsers (WebCrypto underneath), so the server signs and the
 * tests and the CLI verify with the same well-reviewed code.
 *
 * The key: SIGNING_KEY (an Ed25519 private key, PKCS#8 PEM) in production;
 * unset on the embedded default, one is generated once under DATA_DIR and
 * kept. Retired public keys stay in the JWKS (SIGNING_KEYS_RETIRED, or
 * DATA_DIR/signing-retired/*.pem) so old documents keep verifying.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { calculateJwkThumbprint, CompactSign, compactVerify, createLocalJWKSet, exportJWK, type JWK } from "jose";
import { env } from "@/lib/env";
import { processState } from "@/lib/process-state";

export type SigningJwk = JWK & { kid: string; kty: "OKP"; crv: "Ed25519"; alg: "EdDSA"; use: "sig"; status: "current" | "retired" };
export type Jwks = { keys: SigningJwk[] };

type Keyring = { privateKey: crypto.KeyObject; kid: string; jwks: Jwks };

const g = processState("keyring", (): { value?: Promise<Keyring> } => ({}));

function readOrCreatePrivateKey(): string {
  const e = env();
  if (e.SIGNING_KEY) return e.SIGNING_KEY;
  const file = path.join(e.DATA_DIR, "signing-key.pem");
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    fs.mkdirSync(e.DATA_DIR, { recursive: true });
    const { privateKey } = crypto.generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    try {
      fs.writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
      return pem;
    } catch {
      // Another process wrote it first: use theirs.
      return fs.readFileSync(file, "utf8");
    }
  }
}

function retiredPublicKeys(): string[] {
  const e = env();
  const pems: string[] = [];
  if (e.SIGNING_KEYS_RETIRED) pems.push(...(e.SIGNING_KEYS_RETIRED.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? []));
  const dir = path.join(e.DATA_DIR, "signing-retired");
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) if (f.endsWith(".pem")) pems.push(fs.readFileSync(path.join(dir, f), "utf8"));
  return pems;
}

async function publicJwk(key: crypto.KeyObject, status: SigningJwk["status"]): Promise<SigningJwk> {
  const jwk = await exportJWK(key);
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  return { kty: "OKP", crv: "Ed25519", x: jwk.x!, kid, alg: "EdDSA", use: "sig", status };
}

async function loadKeyring(): Promise<Keyring> {
  const privateKey = crypto.createPrivateKey(readOrCreatePrivateKey());
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("SIGNING_KEY: must be an Ed25519 private key (PKCS#8 PEM)");
  const current = await publicJwk(crypto.createPublicKey(privateKey), "current");
  const retired = await Promise.all(retiredPublicKeys().map((pem) => publicJwk(crypto.createPublicKey(pem), "retired")));
  const keys = [current, ...retired.filter((k) => k.kid !== current.kid)];
  return { privateKey, kid: current.kid, jwks: { keys } };
}

function keyring(): Promise<Keyring> {
  g.value ??= loadKeyring().catch((err) => {
    g.value = undefined;
    throw err;
  });
  return g.value;
}

/** Forgets the loaded keys (tests, a rotation in this process). */
export function resetSigningKeys(): void {
  g.value = undefined;
}

/** The public keys, current first, for /.well-known/jwks.json and for embedding in exports. */
export async function jwks(): Promise<Jwks> {
  return (await keyring()).jwks;
}

/** Signs a JSON payload as a compact JWS; `typ` names the kind of document (e.g. "zdr-removal-certificate+jws"). */
export async function signDocument(payload: object, options: { typ: string }): Promise<string> {
  const { privateKey, kid } = await keyring();
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: "EdDSA", kid, typ: options.typ }).sign(privateKey);
}

export type Verified<T> = { payload: T; kid: string; typ: string | undefined };

/**
 * Verifies a compact JWS against a JWKS (ours by default). Throws on a bad
 * signature, an unknown kid or a payload that is not JSON.
 */
export async function verifyDocument<T = unknown>(jws: string, keys?: Jwks): Promise<Verified<T>> {
  const set = createLocalJWKSet(keys ?? (await jwks()));
  const { payload, protectedHeader } = await compactVerify(jws, set, { algorithms: ["EdDSA"] });
  return { payload: JSON.parse(new TextDecoder().decode(payload)) as T, kid: protectedHeader.kid!, typ: protectedHeader.typ };
}
