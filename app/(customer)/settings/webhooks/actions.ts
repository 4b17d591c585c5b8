"use server";
/**
 * Webhook actions of the org admin, through the one wrapper; each domain
 * function checks "webhooks.manage" and the tenant again.
 */
import { action } from "@/lib/actions/action";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  rotateWebhookSecret,
  sendTestWebhook,
  WebhookEndpointInput,
  WebhookEndpointRef,
} from "@/lib/webhooks/service";

const spec = { operation: "webhooks.manage", who: "customer", revalidate: "/settings/webhooks" } as const;

export const createWebhookAction = action({ ...spec, schema: WebhookEndpointInput }, async ({ actor, input, org }) => {
  const { secret } = await createWebhookEndpoint(actor, { ...input, orgId: org.id });
  return { message: `Webhook endpoint added for ${org.name}. Copy its signing secret now: it is shown only this once.`, data: { secret } };
});

export const rotateWebhookSecretAction = action({ ...spec, schema: WebhookEndpointRef }, async ({ actor, input, org }) => {
  const { secret } = await rotateWebhookSecret(actor, { ...input, orgId: org.id });
  return {
    message: `New signing secret for ${org.name}'s endpoint; the previous one keeps signing for 24 hours. Copy it now: it is shown only this once.`,
    data: { secret },
  };
});

export const deleteWebhookAction = action({ ...spec, schema: WebhookEndpointRef }, async ({ actor, input, org }) => {
  await deleteWebhookEndpoint(actor, { ...input, orgId: org.id });
  return { message: `Webhook endpoint deleted from ${org.name}.` };
});

export const enableWebhookAction = action({ ...spec, schema: WebhookEndpointRef }, async ({ actor, input, org }) => {
  await enableWebhookEndpoint(actor, { ...input, orgId: org.id });
  return { message: `Webhook endpoint enabled again for ${org.name}.` };
});

export const sendTestWebhookAction = action({ ...spec, schema: WebhookEndpointRef }, async ({ actor, input, org }) => {
  const { webhookId } = await sendTestWebhook(actor, { ...input, orgId: org.id });
  return { message: `Test event ${webhookId} queued for ${org.name}'s endpoint; see the delivery log below.` };
});
