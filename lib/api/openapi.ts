/**
 * The OpenAPI 3.1 document of the machine API, generated from the same zod
 * schemas that validate requests (and describe responses), so the document
 * cannot drift from what the API accepts.
 */
import { z } from "zod";
import { SERVICE_SCOPES } from "@/lib/auth/principal";
import { RetentionPolicySchema } from "@/lib/retention/policy";
import { IngestResultSchema, MAX_BATCH_EVENTS, UsageBatchSchema, UsageEventSchema } from "@/lib/usage/ingest";
import { ModerationFlagResultSchema, ModerationFlagSchema } from "@/lib/moderation/flags";
import { RemovalCompletionSchema, RemovalOrderListSchema, RemovalOrderSchema } from "@/lib/removal/orders";
import { DECISION_REASONS, PRODUCT_IDS } from "@/lib/vocabulary";
import { MAX_BODY_BYTES } from "./handler";

/** The answer of decideRetention() (lib/retention/decision.ts) as the decision endpoint serves it. */
export const RetentionDecisionSchema = z
  .object({
    serve: z
      .boolean()
      .meta({ description: "false: a typed refusal; the request asked for zero retention (enableLogging=false) and it cannot be honoured. Do not serve it." }),
    keepContent: z
      .boolean()
      .meta({ description: "Whether content may be kept beyond the private cache. When this endpoint cannot answer (503), keep nothing." }),
    zeroRetention: z.boolean().meta({ description: "Whether the request is served under Zero Data Retention (report it so in the usage event)." }),
    reason: z.enum(DECISION_REASONS),
    cacheWindowSeconds: z.int().min(0).max(3600),
    contentRetentionDays: z.int().min(0).max(3650).meta({ description: "Days content is kept when keepContent; 0 otherwise." }),
    trainingUse: z.boolean(),
    policyVersion: z.union([z.int().min(1), z.null()]),
  })
  .strict()
  .meta({ id: "RetentionDecision" });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.enum(["unauthorized", "forbidden", "not_found", "invalid", "conflict", "rate_limited", "unavailable", "too_large", "internal"]),
    errors: z
      .array(z.object({ path: z.string().meta({ description: "JSON path of the field, e.g. `$.events[3].prompt`" }), problem: z.string() }).strict())
      .optional()
      .meta({ description: "The offending fields, by path. Never their values." }),
  })
  .strict()
  .meta({ id: "Problem", description: "RFC 9457 problem details. Never contains a value sent in the request." });

const SCHEMAS = {
  UsageEventSchema,
  UsageBatchSchema,
  IngestResultSchema,
  ModerationFlagSchema,
  ModerationFlagResultSchema,
  RetentionPolicySchema,
  RetentionDecisionSchema,
  ProblemSchema,
  RemovalOrderSchema,
  RemovalOrderListSchema,
  RemovalCompletionSchema,
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const problem = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/problem+json": { schema: ref("Problem") } },
});
const common = {
  "401": problem("Missing, malformed, unknown or revoked token.", { "WWW-Authenticate": { schema: { type: "string" } } }),
  "403": problem("The token lacks the scope of this operation."),
  "429": problem("The token's rate limit is exceeded.", { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } }),
  "500": problem("An unexpected error. Nothing was stored."),
  "503": problem("The database cannot be reached right now (down, restarting, connection lost). Nothing was stored; retry the same request.", {
    "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } },
  }),
};

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const registry = z.registry<{ id: string }>();
  for (const s of Object.values(SCHEMAS)) {
    const id = (s.meta() as { id: string }).id;
    registry.add(s, { ...(s.meta() as object), id });
  }
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "input", uri: (id) => `#/components/schemas/${id}` });
  // Components are addressed by JSON pointer; an $id or $schema of their own would only confuse tools.
  for (const s of Object.values(schemas)) {
    delete (s as Record<string, unknown>).$schema;
    delete (s as Record<string, unknown>).$id;
  }

  cached = {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "ZDR Console machine API",
      version: "1.0.0",
      description:
        "The serving fleet reports request metadata and asks, per request, whether it may keep content. " +
        "Metadata only: no endpoint accepts or returns prompt, transcript, audio or output content, and any field outside a schema rejects the request whole.",
    },
    servers: [{ url: "/" }],
    security: [{ serviceToken: [] }],
    components: {
      securitySchemes: {
        serviceToken: {
          type: "http",
          scheme: "bearer",
          description: `A service token (shown once at creation). Scopes: ${SERVICE_SCOPES.join(", ")}.`,
        },
      },
      schemas,
    },
    paths: {
      "/api/v1/usage/events": {
        post: {
          operationId: "ingestUsageEvents",
          summary: "Report a batch of usage metadata events",
          description:
            `Scope \`usage:write\`. 1 to ${MAX_BATCH_EVENTS} events, body at most ${MAX_BODY_BYTES} bytes. Idempotent by event id: ` +
            "a replayed or overlapping batch counts each id once; a known id with different fields is listed in `conflicts` and not stored. " +
            "An unknown field anywhere, a wrong type, an unknown organization or a timestamp more than 5 minutes in the future rejects the whole batch (400); nothing is stored.",
          "x-required-scope": "usage:write",
          requestBody: { required: true, content: { "application/json": { schema: ref("UsageBatch") } } },
          responses: {
            "200": { description: "Stored (or recognised as already stored).", content: { "application/json": { schema: ref("IngestResult") } } },
            "400": problem("Invalid batch: the listed JSON paths name the offending fields. Nothing was stored."),
            ...common,
            "413": problem(`Body larger than ${MAX_BODY_BYTES} bytes; refused before parsing.`),
          },
        },
      },
      "/api/v1/orgs/{orgId}/retention-policy": {
        get: {
          operationId: "getRetentionPolicy",
          summary: "The effective retention policy of an organization",
          description:
            "Scope `policy:read`. Built for the hot path: answered from memory, invalidated on every change within a second on every instance. " +
            "**Fail closed:** any answer other than 200 or 304 (in particular 503) means the policy is unknown: keep no content of the request.",
          "x-required-scope": "policy:read",
          parameters: [
            { name: "orgId", in: "path", required: true, schema: { type: "string", format: "uuid" } },
            {
              name: "projectId",
              in: "query",
              required: false,
              schema: { type: "string", format: "uuid" },
              description: "The project whose effective policy to answer (strictest of org and project, with `sources`).",
            },
            { name: "If-None-Match", in: "header", required: false, schema: { type: "string" }, description: "A strong ETag from an earlier answer." },
          ],
          responses: {
            "200": {
              description: "The policy.",
              headers: { ETag: { description: "Strong validator of this policy.", schema: { type: "string" } } },
              content: { "application/json": { schema: ref("RetentionPolicy") } },
            },
            "304": { description: "Unchanged since the ETag given in If-None-Match.", headers: { ETag: { schema: { type: "string" } } } },
            "400": problem("orgId or projectId is not a UUID."),
            "404": problem("No such organization, or no such project in it."),
            ...common,
            "503": problem("The retention state cannot be read. Treat as: keep nothing.", {
              "Retry-After": { schema: { type: "integer" } },
            }),
          },
        },
      },
      "/api/v1/orgs/{orgId}/retention-decision": {
        get: {
          operationId: "getRetentionDecision",
          summary: "The per-request retention decision the fleet acts on",
          description:
            "Scope `policy:read`. One answer per request: serve or not, keep content or not, and why (`reason`). A request that asks for zero retention " +
            "(`enableLogging=false`) that cannot be honoured is refused (`serve: false`, still a 200), never silently downgraded. " +
            "**Fail closed:** any answer other than 200 or 304 (in particular 503) means: keep no content (`keepContent: false`).",
          "x-required-scope": "policy:read",
          parameters: [
            { name: "orgId", in: "path", required: true, schema: { type: "string", format: "uuid" } },
            { name: "product", in: "query", required: true, schema: { type: "string", enum: [...PRODUCT_IDS] } },
            { name: "projectId", in: "query", required: false, schema: { type: "string", format: "uuid" } },
            {
              name: "enableLogging",
              in: "query",
              required: false,
              schema: { type: "string", enum: ["true", "false"] },
              description: "`false`: the request asks for zero retention. Default `true`.",
            },
            { name: "If-None-Match", in: "header", required: false, schema: { type: "string" } },
          ],
          responses: {
            "200": {
              description: "The decision.",
              headers: { ETag: { description: "Strong validator of this decision.", schema: { type: "string" } } },
              content: { "application/json": { schema: ref("RetentionDecision") } },
            },
            "304": { description: "Unchanged since the ETag given in If-None-Match.", headers: { ETag: { schema: { type: "string" } } } },
            "400": problem("A query parameter is invalid; `errors` names it."),
            "404": problem("No such organization, or no such project in it."),
            ...common,
            "503": problem("The retention state cannot be read. Keep no content.", { "Retry-After": { schema: { type: "integer" } } }),
          },
        },
      },
      "/api/v1/retention-policy/stream": {
        get: {
          operationId: "streamRetentionPolicyChanges",
          summary: "Server-sent events of every retention-policy change",
          description:
            "Scope `policy:read`. `text/event-stream`: `ready` (id = the stream's position), then `change` for each committed change " +
            '(id = its number, data `{"orgId"}`: refetch that org\'s policies), `reset` when a `Last-Event-ID` is older than what is kept ' +
            "(refetch everything), and `heartbeat` every 2 seconds while the stream can vouch that no change is missed. Reconnect with " +
            "`Last-Event-ID` to receive what was committed meanwhile. **Fail closed:** when heartbeats stop, treat cached policies as unknown " +
            "once their staleness bound passes: keep no content.",
          "x-required-scope": "policy:read",
          parameters: [
            {
              name: "Last-Event-ID",
              in: "header",
              required: false,
              schema: { type: "string", pattern: "^[0-9]{1,15}$" },
              description: "The id of the last event received.",
            },
          ],
          responses: {
            "200": {
              description: "The event stream (stays open).",
              content: {
                "text/event-stream": { schema: { type: "string", description: "Events `ready`, `change`, `reset`, `heartbeat`, each with JSON data." } },
              },
            },
            "400": problem("Last-Event-ID is not an id this stream sent."),
            ...common,
          },
        },
      },
      "/api/v1/moderation/flags": {
        post: {
          operationId: "flagOrganization",
          summary: "Flag an organization; optionally restrict its ZDR at once",
          description:
            "Scope `moderation:write`. Categories and severity only, never content. With `restrict: true` the organization's ZDR is restricted " +
            "(reason `automated_flag`) through the same operation support staff use: audited, and its administrators are notified.",
          "x-required-scope": "moderation:write",
          requestBody: { required: true, content: { "application/json": { schema: ref("ModerationFlag") } } },
          responses: {
            "201": { description: "Recorded.", content: { "application/json": { schema: ref("ModerationFlagResult") } } },
            "400": problem("Invalid flag. Nothing was stored."),
            ...common,
            "413": problem("Body too large."),
          },
        },
      },
      "/api/v1/removal-orders": {
        get: {
          operationId: "listRemovalOrders",
          summary: "Removal orders the fleet has yet to carry out",
          description:
            "Scope `removal:read`. Each order names an organization, optionally a project or an API key, and a range of instants (`to` exclusive): " +
            "content of that scope kept by the fleet must be removed, then reported with POST /api/v1/removal-orders/{id}/completion. Pending orders only, oldest first.",
          "x-required-scope": "removal:read",
          responses: {
            "200": { description: "The pending orders.", content: { "application/json": { schema: ref("RemovalOrderList") } } },
            ...common,
          },
        },
      },
      "/api/v1/removal-orders/{id}/completion": {
        post: {
          operationId: "completeRemovalOrder",
          summary: "Report a removal order carried out",
          description:
            "Scope `removal:write`. Idempotent: a repeat with the same figures answers the order again; different figures are a conflict (the first report stands). " +
            "Orders are fleet-wide; `orgId` in the body names the organization the fleet removed content for, and an order of another organization is 404, as is an unknown id. " +
            "The removal request completes when its usage part has too.",
          "x-required-scope": "removal:write",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
          requestBody: { required: true, content: { "application/json": { schema: ref("RemovalCompletion") } } },
          responses: {
            "200": { description: "The order, completed.", content: { "application/json": { schema: ref("RemovalOrder") } } },
            "400": problem("Invalid report: the listed JSON paths name the offending fields."),
            "404": problem("No such order (or an order of another organization than the one named)."),
            "409": problem("Already reported with other figures."),
            ...common,
            "413": problem("Body too large."),
          },
        },
      },
    },
  };
  return cached;
}
