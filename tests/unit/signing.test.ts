/** Documents signed by lib/signing verify with jose against the published JWKS, and a changed byte does not. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compactVerify, createLocalJWKSet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-signing-"));
process.env.DATA_DIR = dir;
const signing = await import("@/lib/signing");

describe("lib/signing", () => {
  beforeAll(() => signing.resetSigningKeys());
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("signs a compact JWS with EdDSA and the kid of the published key", async () => {
    const jws = await signing.signDocument({ orgId: "o", n: 1 }, { typ: "zdr-test+jws" });
    const keys = await signing.jwks();
    expect(keys.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", status: "current" });
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(keys));
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: keys.keys[0].kid, typ: "zdr-test+jws" });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ orgId: "o", n: 1 });
  });

  it("a one-byte change of the payload or signature fails verification", async () => {
    const jws = await signing.signDocument({ orgId: "o", n: 1 }, { typ: "zdr-test+jws" });
    const [h, p, s] = jws.split(".");
    const tamperedPayload = Buffer.from(JSON.stringify({ orgId: "o", n: 2 })).toString("base64url");
    await expect(signing.verifyDocument(`${h}.${tamperedPayload}.${s}`)).rejects.toThrow();
    const flipped = s.slice(0, 5) + (s[5] === "A" ? "B" : "A") + s.slice(6);
    await expect(signing.verifyDocument(`${h}.${p}.${flipped}`)).rejects.toThrow();
    await expect(signing.verifyDocument(jws)).resolves.toMatchObject({ payload: { n: 1 } });
  });

  it("keeps the generated key across restarts, and a retired key stays in the JWKS", async () => {
    const before = (await signing.jwks()).keys[0].kid;
    const old = await signing.signDocument({ v: "old" }, { typ: "zdr-test+jws" });
    signing.resetSigningKeys();
    expect((await signing.jwks()).keys[0].kid).toBe(before);
    // Rotate: the old key's public half is retired, a new key signs from now on.
    const crypto = await import("node:crypto");
    const oldPem = fs.readFileSync(path.join(dir, "signing-key.pem"), "utf8");
    fs.mkdirSync(path.join(dir, "signing-retired"), { recursive: true });
    fs.writeFileSync(path.join(dir, "signing-retired", "1.pem"), crypto.createPublicKey(oldPem).export({ type: "spki", format: "pem" }).toString());
    fs.rmSync(path.join(dir, "signing-key.pem"));
    signing.resetSigningKeys();
    const keys = await signing.jwks();
    expect(keys.keys.map((k) => k.status)).toEqual(["current", "retired"]);
    expect(keys.keys[0].kid).not.toBe(before);
    await expect(signing.verifyDocument(old)).resolves.toMatchObject({ kid: before });
  });
});
