import type { Metadata } from "next";
import { isAllowed } from "@/lib/auth/permissions";
import { requireCustomer } from "@/lib/auth/session";
import { listWebhooks } from "@/lib/webhooks/service";
import { getOrgProfile } from "@/lib/orgs/members";
import { formatDateTime } from "@/lib/intl";
import { WEBHOOK_DELIVERY_STATUS_LABELS } from "@/lib/vocabulary";
import { PageHeader } from "@/components/ui/page-header";
import { AdminOnly } from "@/components/members/admin-only";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CreateWebhookForm, EndpointButton } from "@/components/webhooks/webhook-forms";
import { createWebhookAction, deleteWebhookAction, enableWebhookAction, rotateWebhookSecretAction, sendTestWebhookAction } from "./actions";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const user = await requireCustomer();
  // Members do not manage webhooks: they are told who does, and nothing of the page is read.
  if (!isAllowed(user, "webhooks.manage", { orgId: user.orgId })) return <AdminOnly title="Webhooks" org={await getOrgProfile(user, user.orgId)} />;
  const orgId = user.orgId;
  const [{ endpoints, deliveries }, org] = await Promise.all([listWebhooks(user, { orgId }), getOrgProfile(user, orgId)]);
  const at = (d: Date | string) => formatDateTime(d, org.timeZone);
  const urlOf = new Map(endpoints.map((e) => [e.id, e.url]));
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Your systems receive retention events, signed per the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature). Bodies carry ids and states, never content."
      />
      <div className="space-y-6">
        <Card aria-labelledby="add-webhook-title">
          <CardHeader
            id="add-webhook-title"
            title="Add an endpoint"
            description="HTTPS only. Failed deliveries are retried with backoff for about half an hour, with the same webhook-id."
          />
          <CardBody>
            <CreateWebhookForm action={createWebhookAction} orgId={orgId} />
          </CardBody>
        </Card>
        <Card aria-labelledby="endpoints-title">
          <CardHeader id="endpoints-title" title={`Endpoints (${endpoints.length})`} />
          <CardBody>
            {endpoints.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No endpoints yet.</p>
            ) : (
              <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                {endpoints.map((e) => (
                  <li key={e.id} className="space-y-2 py-3" data-testid="webhook-endpoint">
                    <p className="break-all font-mono text-sm">{e.url}</p>
                    {e.description ? <p className="text-sm">{e.description}</p> : null}
                    <p className="text-sm text-slate-600 dark:text-slate-400">
                      Events: {e.eventTypes.join(", ")}
                      {e.rotationOverlapUntil ? ` · previous secret also signs until ${at(e.rotationOverlapUntil)}` : ""}
                    </p>
                    {e.disabledAt ? (
                      <p role="status" className="text-sm font-medium text-red-700 dark:text-red-300">
                        Disabled on {at(e.disabledAt)}: {e.disabledReason}.
                      </p>
                    ) : null}
                    <div className="flex flex-wrap items-start gap-3">
                      {e.disabledAt ? (
                        <EndpointButton action={enableWebhookAction} orgId={orgId} endpointId={e.id} label="Enable" />
                      ) : (
                        <EndpointButton action={sendTestWebhookAction} orgId={orgId} endpointId={e.id} label="Send test event" />
                      )}
                      <EndpointButton action={rotateWebhookSecretAction} orgId={orgId} endpointId={e.id} label="Rotate secret" />
                      <EndpointButton
                        action={deleteWebhookAction}
                        orgId={orgId}
                        endpointId={e.id}
                        label="Delete"
                        confirmText="Delete this endpoint and its delivery log?"
                      />
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </CardBody>
        </Card>
        <Card aria-labelledby="deliveries-title">
          <CardHeader id="deliveries-title" title="Recent deliveries" description="The last 50, newest first." />
          <div className="overflow-x-auto">
            <table className="stack-table w-full text-left text-sm">
              <thead className="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-5 py-2">
                    Event
                  </th>
                  <th scope="col" className="px-5 py-2">
                    Endpoint
                  </th>
                  <th scope="col" className="px-5 py-2">
                    Status
                  </th>
                  <th scope="col" className="px-5 py-2">
                    HTTP
                  </th>
                  <th scope="col" className="px-5 py-2">
                    Attempts
                  </th>
                  <th scope="col" className="px-5 py-2">
                    Created
                  </th>
                  <th scope="col" className="px-5 py-2">
                    Last attempt
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {deliveries.map((d) => (
                  <tr key={d.id} data-testid="webhook-delivery" data-status={d.status} data-webhook-id={d.webhookId}>
                    <td data-label="Event" className="px-5 py-2">
                      <code>{d.eventType}</code>
                      <span className="block font-mono text-xs text-slate-600 dark:text-slate-400">{d.webhookId}</span>
                    </td>
                    <td data-label="Endpoint" className="max-w-56 truncate px-5 py-2 font-mono text-xs">
                      {urlOf.get(d.endpointId)}
                    </td>
                    <td data-label="Status" className="px-5 py-2">
                      {WEBHOOK_DELIVERY_STATUS_LABELS[d.status]}
                      {d.lastError ? <span className="block text-xs text-slate-600 dark:text-slate-400">{d.lastError}</span> : null}
                    </td>
                    <td data-label="HTTP" className="px-5 py-2">
                      {d.lastStatusCode ?? "–"}
                    </td>
                    <td data-label="Attempts" className="px-5 py-2">
                      {d.attempts}
                    </td>
                    <td data-label="Created" className="px-5 py-2">
                      {at(d.createdAt)}
                    </td>
                    <td data-label="Last attempt" className="px-5 py-2">
                      {d.lastAttemptAt ? at(d.lastAttemptAt) : "–"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {deliveries.length === 0 ? <p className="px-5 py-3 text-sm text-slate-600 dark:text-slate-400">No deliveries yet.</p> : null}
          </div>
        </Card>
      </div>
    </>
  );
}
