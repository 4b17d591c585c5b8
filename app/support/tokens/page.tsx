import type { Metadata } from "next";
import { requireSupport } from "@/lib/auth/session";
import { listServiceTokens } from "@/lib/tokens/tokens";
import { CreateTokenForm } from "@/components/tokens/create-token-form";
import { createTokenAction, revokeTokenAction } from "./actions";

export const metadata: Metadata = { title: "Service tokens" };
export const dynamic = "force-dynamic";

const fmt = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "never");

export default async function TokensPage() {
  const actor = await requireSupport();
  const tokens = await listServiceTokens(actor);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Service tokens</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Bearer tokens of the machine API (
          <a href="/docs/api" className="text-brand-700 underline dark:text-brand-100">
            reference
          </a>
          ). A token is shown once when created; a revoked token is refused on its next request.
        </p>
      </div>
      <section aria-labelledby="create-heading" className="space-y-3">
        <h2 id="create-heading" className="text-lg font-medium">
          Create a token
        </h2>
        <CreateTokenForm action={createTokenAction} />
      </section>
      <section aria-labelledby="list-heading" className="space-y-3">
        <h2 id="list-heading" className="text-lg font-medium">
          Tokens
        </h2>
        {tokens.length === 0 ? (
          <p className="text-sm">No service tokens yet.</p>
        ) : (
          <table className="w-full text-left text-sm" data-testid="token-list">
            <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
              <tr>
                <th className="py-2">Name</th>
                <th>Prefix</th>
                <th>Scopes</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} className="border-b border-slate-100 dark:border-slate-800">
                  <td className="py-2">{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{t.scopes.join(", ")}</td>
                  <td>{fmt(t.createdAt)}</td>
                  <td>{fmt(t.lastUsedAt)}</td>
                  <td>{t.revokedAt ? `revoked ${fmt(t.revokedAt)}` : "active"}</td>
                  <td className="text-right">
                    {!t.revokedAt && (
                      <form action={revokeTokenAction}>
                        <input type="hidden" name="tokenId" value={t.id} />
                        <button
                          type="submit"
                          aria-label={`Revoke ${t.name}`}
                          className="rounded-md border border-red-300 px-2 py-1 text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400"
                        >
                          Revoke
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
