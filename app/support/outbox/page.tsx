import type { Metadata } from "next";
import { requireSupport } from "@/lib/auth/session";
import { outboxOverview } from "@/lib/notify/dead-letters";
import { RetryDeadLetterForm } from "@/components/outbox/retry-form";
import { retryDeadLetterAction } from "./actions";

export const metadata: Metadata = { title: "Outbox" };
export const dynamic = "force-dynamic";

const fmt = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export default async function OutboxPage() {
  const actor = await requireSupport();
  const { letters, stats } = await outboxOverview(actor);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Outbox</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Emails and webhook deliveries owed by committed changes. A message is retried with a growing pause; one whose retries are spent is a dead letter here
          until you retry it. Delivered messages are kept 7 days, without their email bodies.
        </p>
        <p className="mt-2 text-sm" data-testid="outbox-stats">
          {stats.pending} pending{stats.failing ? ` (${stats.failing} failing, retried automatically)` : ""} · {letters.length} dead{" "}
          {letters.length === 1 ? "letter" : "letters"}
        </p>
      </div>
      <section aria-labelledby="dead-heading" className="space-y-3">
        <h2 id="dead-heading" className="text-lg font-medium">
          Dead letters
        </h2>
        {letters.length === 0 ? (
          <p className="text-sm" data-testid="dead-letters-empty">
            No dead letters: every message was delivered or is still being retried.
          </p>
        ) : (
          <table className="stack-table w-full text-left text-sm" data-testid="dead-letters">
            <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
              <tr>
                <th scope="col" className="py-2">
                  Message
                </th>
                <th scope="col">Organization</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Given up</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {letters.map((m) => {
                const label = `${m.kind === "webhook" ? "webhook delivery" : "email"} #${m.id}`;
                return (
                  <tr key={m.id} className="border-b border-slate-100 align-top dark:border-slate-800" data-testid="dead-letter">
                    <td data-label="Message" className="py-2 pr-3">
                      {m.kind === "webhook" ? "Webhook delivery" : `Email: ${m.subject ?? "(no subject)"}`}{" "}
                      <span className="text-slate-600 dark:text-slate-400">#{m.id}</span>
                    </td>
                    <td data-label="Organization" className="pr-3">
                      {m.orgName ?? "—"}
                    </td>
                    <td data-label="Attempts" className="pr-3">
                      {m.attempts}
                    </td>
                    <td data-label="Last error" className="pr-3">
                      <code className="text-xs">{m.lastError ?? "—"}</code>
                    </td>
                    <td data-label="Given up" className="pr-3">
                      {fmt(m.abandonedAt)}
                    </td>
                    <td data-label="" className="py-2">
                      <RetryDeadLetterForm action={retryDeadLetterAction} messageId={m.id} label={label} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
