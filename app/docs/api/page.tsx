import type { Metadata } from "next";
import { openApiDocument } from "@/lib/api/openapi";

export const metadata: Metadata = { title: "Machine API reference" };

type JsonSchema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
};
type Operation = {
  summary: string;
  description: string;
  "x-required-scope": string;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  parameters?: { name: string; in: string; required: boolean; description?: string }[];
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
};

const refName = (s?: JsonSchema) => s?.$ref?.split("/").pop();

function typeLabel(s: JsonSchema): string {
  if (s.$ref) return refName(s)!;
  if (s.anyOf) return s.anyOf.map(typeLabel).join(" | ");
  if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(" | ");
  if (s.type === "array") return `${s.items ? typeLabel(s.items) : "any"}[]${s.minItems !== undefined ? ` (${s.minItems}–${s.maxItems ?? "∞"})` : ""}`;
  const extra = [
    s.format,
    s.minimum !== undefined && s.maximum !== undefined && s.maximum < 1e15 ? `${s.minimum}–${s.maximum}` : s.minimum !== undefined ? `≥ ${s.minimum}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${s.type ?? "any"}${extra ? ` (${extra})` : ""}`;
}

type FieldRow = { path: string; schema: JsonSchema; required: boolean };

/** The object inside a field (itself, an array's items, or the object branch of `object | null`), whose fields are listed under it. */
function nestedObject(s: JsonSchema): { schema: JsonSchema; suffix: string } | null {
  if (s.properties) return { schema: s, suffix: "" };
  if (s.type === "array" && s.items) {
    const inner = nestedObject(s.items);
    return inner ? { schema: inner.schema, suffix: `[]${inner.suffix}` } : null;
  }
  const branch = s.anyOf?.find((b) => b.properties);
  return branch ? { schema: branch, suffix: "" } : null;
}

/** Every field, nested ones as dotted paths (`zdr.honoured`, `products[].dataTypes[].zdrEligible`), so none renders as a bare "object". */
function fieldRows(schema: JsonSchema, prefix = "", parentRequired = true): FieldRow[] {
  return Object.entries(schema.properties ?? {}).flatMap(([k, v]) => {
    const path = `${prefix}${k}`;
    const required = parentRequired && !!schema.required?.includes(k);
    const row: FieldRow = { path, schema: v, required };
    const inner = v.$ref ? null : nestedObject(v);
    return inner ? [row, ...fieldRows(inner.schema, `${path}${inner.suffix}.`, required)] : [row];
  });
}

function SchemaTable({ name, schema }: { name: string; schema: JsonSchema }) {
  const props = fieldRows(schema);
  return (
    <section aria-labelledby={`schema-${name}`} className="space-y-2">
      <h3 id={`schema-${name}`} className="font-mono text-base font-semibold">
        {name}
      </h3>
      {schema.description && <p className="text-sm text-slate-600 dark:text-slate-400">{schema.description}</p>}
      <table className="stack-table w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th className="py-1">Field</th>
            <th>Type</th>
            <th>Required</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {props.map(({ path: k, schema: v, required }) => (
            <tr key={k} className="border-b border-slate-100 align-top dark:border-slate-800">
              <td data-label="" className="py-1 font-mono">
                {k}
              </td>
              <td data-label="Type" className="font-mono text-xs">
                {v.$ref ? (
                  <a href={`#schema-${refName(v)}`} className="text-brand-700 underline dark:text-brand-100">
                    {refName(v)}
                  </a>
                ) : (
                  typeLabel(v)
                )}
              </td>
              <td data-label="Required">{required ? "yes" : "no"}</td>
              <td data-label="Description">{v.description ?? (v.pattern ? `pattern ${v.pattern}` : "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs text-slate-600 dark:text-slate-400">No other field is accepted.</p>
    </section>
  );
}

export default function ApiReferencePage() {
  const doc = openApiDocument() as {
    info: { title: string; description: string; version: string };
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, JsonSchema> };
  };
  return (
    <main className="mx-auto max-w-5xl space-y-10 px-6 py-10">
      <header className="space-y-2">
        <h1 className="text-3xl font-semibold">{doc.info.title}</h1>
        <p className="text-slate-700 dark:text-slate-300">{doc.info.description}</p>
        <p className="text-sm">
          Version {doc.info.version}. Machine-readable:{" "}
          <a href="/api/v1/openapi.json" className="text-brand-700 underline dark:text-brand-100">
            /api/v1/openapi.json
          </a>{" "}
          (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;service token&gt;</code>; support staff create tokens under Support → Tokens, or run{" "}
          <code>npm run token:create -- --name N --scopes a,b</code>.
        </p>
        <p className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          Errors are <code>application/problem+json</code> and name fields by JSON path, never by value. A retention-policy answer other than 200 or 304 means
          the policy is unknown: <strong>keep no content</strong> of that request.
        </p>
      </header>
      {Object.entries(doc.paths).map(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => (
          <section
            key={`${method} ${path}`}
            aria-labelledby={`op-${method}-${path}`}
            className="space-y-3 border-t border-slate-200 pt-6 dark:border-slate-800"
          >
            <h2 id={`op-${method}-${path}`} className="text-xl font-semibold">
              <span className="mr-2 rounded bg-slate-200 px-2 py-0.5 font-mono text-sm dark:bg-slate-800">{method.toUpperCase()}</span> <code>{path}</code>
            </h2>
            <p className="font-medium">{op.summary}</p>
            <p className="text-sm text-slate-700 dark:text-slate-300">{op.description.replace(/\*\*/g, "")}</p>
            <p className="text-sm">
              Scope: <code>{op["x-required-scope"]}</code>
            </p>
            {op.requestBody && (
              <p className="text-sm">
                Body:{" "}
                <a
                  href={`#schema-${refName(Object.values(op.requestBody.content)[0].schema)}`}
                  className="font-mono text-brand-700 underline dark:text-brand-100"
                >
                  {refName(Object.values(op.requestBody.content)[0].schema)}
                </a>
              </p>
            )}
            <table className="stack-table w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
                <tr>
                  <th className="py-1">Status</th>
                  <th>Meaning</th>
                  <th>Body</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(op.responses).map(([status, r]) => (
                  <tr key={status} className="border-b border-slate-100 align-top dark:border-slate-800">
                    <td data-label="" className="py-1 font-mono">
                      {status}
                    </td>
                    <td data-label="Meaning">{r.description}</td>
                    <td data-label="Body" className="font-mono text-xs">
                      {r.content ? `${Object.keys(r.content)[0]} ${refName(Object.values(r.content)[0].schema) ?? ""}` : "none"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )),
      )}
      <section aria-labelledby="schemas" className="space-y-6 border-t border-slate-200 pt-6 dark:border-slate-800">
        <h2 id="schemas" className="text-xl font-semibold">
          Schemas
        </h2>
        {Object.entries(doc.components.schemas).map(([name, schema]) => (
          <SchemaTable key={name} name={name} schema={schema} />
        ))}
      </section>
    </main>
  );
}
