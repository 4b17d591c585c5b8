/**
 * `npm run verify -- FILE [--jwks JWKS_FILE]`: checks a checkpoint, an audit
 * export, a monthly statement or a removal certificate offline, with the
 * same code as the /verify page (lib/audit/verify.ts). Exit 0 when it
 * verifies; 2 naming the first failing entry or the problem; 1 when the
 * file cannot be read. One line, never a stack trace.
 */
import fs from "node:fs";
import path from "node:path";
import type { JSONWebKeySet } from "jose";
import { verifyDocumentText } from "@/lib/audit/verify";

function fail(code: number, line: string): never {
  console.error(line);
  process.exit(code);
}

/** Keys for a document that embeds none: --jwks FILE, else this installation's own public keys if it has any. */
async function fallbackKeys(jwksFile: string | undefined): Promise<JSONWebKeySet | undefined> {
  if (jwksFile) {
    try {
      return JSON.parse(fs.readFileSync(jwksFile, "utf8")) as JSONWebKeySet;
    } catch {
      fail(1, `verify: cannot read a JWKS from ${jwksFile}`);
    }
  }
  const dataDir = process.env.DATA_DIR ?? ".data";
  if (!process.env.SIGNING_KEY && !fs.existsSync(path.join(dataDir, "signing-key.pem"))) return undefined;
  try {
    const { jwks } = await import("@/lib/signing");
    return await jwks();
  } catch {
    return undefined;
  }
}

const args = process.argv.slice(2);
const jwksAt = args.indexOf("--jwks");
const jwksFile = jwksAt >= 0 ? args[jwksAt + 1] : undefined;
const file = args.find((a, i) => !a.startsWith("--") && (jwksAt < 0 || i !== jwksAt + 1));
if (!file) fail(1, "usage: npm run verify -- FILE [--jwks JWKS_FILE]");

let text: string;
try {
  text = fs.readFileSync(file, "utf8");
} catch {
  fail(1, `verify: cannot read ${file}`);
}

try {
  const result = await verifyDocumentText(text, await fallbackKeys(jwksFile));
  if (result.ok) {
    console.log(`VERIFIED (${result.kind.replace(/_/g, " ")}): ${result.summary}`);
    console.log(`Proves: ${result.proves}`);
    console.log(`Does not prove: ${result.doesNotProve}`);
    process.exit(0);
  }
  fail(2, `NOT VERIFIED${result.kind !== "unknown" ? ` (${result.kind.replace(/_/g, " ")})` : ""}: ${result.problem}`);
} catch {
  fail(2, "NOT VERIFIED: the file could not be read as one of our documents.");
}
