import type { Metadata } from "next";
import { requireSupport } from "@/lib/auth/session";
import { listServiceTokens } from "@/lib/tokens/tokens";
import { CreateTokenForm } from "@/components/tokens/create-token-form";
import { RevokeTokenForm } from "@/components/tokens/revoke-token-form";
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
          <table className="stack-table w-full text-left text-sm" data-testid="token-list">
            <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
              <tr>
                <th className="py-2 pr-2">Name</th>
                <th className="px-2">Prefix</th>
                <th className="px-2">Scopes</th>
                <th className="px-2">Created</th>
                <th className="px-2">Last used</th>
                <th className="px-2">Status</th>
                <th className="px-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} className="border-b border-slate-100 dark:border-slate-800">
                  <td data-label="" className="py-2 pr-2 font-medium">
                    {t.name}
                  </td>
                  <td data-label="Prefix" className="px-2 py-2">
                    <code>{t.prefix}…</code>
                  </td>
                  <td data-label="Scopes" className="px-2 py-2">
                    {t.scopes.join(", ")}
                  </td>
                  <td data-label="Created" className="px-2 py-2">
                    {fmt(t.createdAt)}
                    <div className="text-xs text-slate-600 dark:text-slate-400">
                      by {t.createdByName ?? (t.createdBy ? "a former account" : "the command line")}
                    </div>
                  </td>
                  <td data-label="Last used" className="px-2 py-2">
                    {fmt(t.lastUsedAt)}
                  </td>
                  <td data-label="Status" className="px-2 py-2" data-testid="token-status">
                    {t.revokedAt ? (
                      <>
                        Revoked {fmt(t.revokedAt)}
                        <div className="text-xs text-slate-600 dark:text-slate-400">
                          by {t.revokedByName ?? (t.revokedBy ? "a former account" : "the command line")}
                        </div>
                      </>
                    ) : (
                      "Active"
                    )}
                  </td>
                  <td data-label="" className="px-2 py-2 text-right">
                    {!t.revokedAt && <RevokeTokenForm action={revokeTokenAction} tokenId={t.id} name={t.name} />}
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
