import type { Metadata } from "next";
import { VerifyPanel } from "./verify-panel";

export const metadata: Metadata = { title: "Verify a document" };
// Rendered per request so its scripts carry the request's CSP nonce (a prerendered page's would be refused).
export const dynamic = "force-dynamic";

/** /verify: checks our signed documents in the browser. Public: nothing is uploaded, so no account is needed. */
export default function VerifyPage() {
  return (
    <main className="mx-auto max-w-3xl p-6">
      <h1 className="text-2xl font-semibold">Verify a document</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Check an audit log export, a checkpoint, a monthly retention statement or a removal certificate. The check runs in this browser: the document is not
        sent anywhere. Signatures are checked against the keys in the document, or against our published keys at{" "}
        <a className="underline" href="/.well-known/jwks.json">
          /.well-known/jwks.json
        </a>
        .
      </p>
      <VerifyPanel />
    </main>
  );
}
