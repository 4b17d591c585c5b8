/**
 * A small JSON Schema (2020-12) validator for the subset the OpenAPI document
 * uses. Written here rather than trusted from the generator: validating
 * responses with the code that produced the schemas would prove little. An
 * unknown keyword is an error, so a schema cannot pass by being misunderstood.
 */
type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(["description", "title", "examples", "default", "readOnly", "writeOnly", "deprecated", "$comment", "id"]);
const KNOWN = new Set([
  "$ref",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "allOf",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "pattern",
  "format",
  "minLength",
  "maxLength",
]);

const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  "date-time": /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
};

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

export function validateJsonSchema(root: Record<string, unknown>, schema: Schema, value: unknown, at = "$"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: no value is allowed here`];
  const errors: string[] = [];
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key) && !ANNOTATIONS.has(key)) errors.push(`${at}: validator does not understand keyword ${key}`);
  }
  if (typeof schema.$ref === "string") {
    const target = (schema.$ref as string)
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], root);
    if (!target) return [...errors, `${at}: unresolvable $ref ${schema.$ref}`];
    errors.push(...validateJsonSchema(root, target as Schema, value, at));
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === "integer" && types.includes("number"))) return [...errors, `${at}: expected ${types.join("|")}, got ${t}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).some((e) => e === value)) errors.push(`${at}: not in enum`);
  if ("const" in schema && schema.const !== value) errors.push(`${at}: not the constant`);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${at}: below minimum`);
    if (typeof schema.maximum === "number" && value > schema.maximum) errors.push(`${at}: above maximum`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) errors.push(`${at}: not above exclusiveMinimum`);
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) errors.push(`${at}: not below exclusiveMaximum`);
  }
  if (typeof value === "string") {
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern as string, "u").test(value)) errors.push(`${at}: does not match pattern`);
    if (typeof schema.format === "string" && FORMATS[schema.format as string] && !FORMATS[schema.format as string].test(value))
      errors.push(`${at}: not a ${schema.format}`);
    if (typeof schema.minLength === "number" && value.length < schema.minLength) errors.push(`${at}: too short`);
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) errors.push(`${at}: too long`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) errors.push(`${at}: too few items`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) errors.push(`${at}: too many items`);
    if (schema.items !== undefined) value.forEach((v, i) => errors.push(...validateJsonSchema(root, schema.items as Schema, v, `${at}[${i}]`)));
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) errors.push(`${at}.${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errors.push(...validateJsonSchema(root, props[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}.${k}: not allowed`);
      else if (typeof schema.additionalProperties === "object")
        errors.push(...validateJsonSchema(root, schema.additionalProperties as Schema, v, `${at}.${k}`));
    }
  }
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const list = schema[key] as Schema[] | undefined;
    if (!list) continue;
    const passing = list.filter((s) => validateJsonSchema(root, s, value, at).length === 0).length;
    if (key === "allOf" && passing !== list.length) errors.push(`${at}: fails allOf`);
    if (key === "anyOf" && passing === 0) errors.push(`${at}: matches none of anyOf`);
    if (key === "oneOf" && passing !== 1) errors.push(`${at}: matches ${passing} of oneOf`);
  }
  return errors;
}

/** Checks one response against the operation's declared responses: status, content type, headers, body. */
export async function validateResponse(doc: Record<string, unknown>, method: string, pathTemplate: string, res: Response): Promise<string[]> {
  const op = (doc.paths as Record<string, Record<string, unknown>>)[pathTemplate]?.[method.toLowerCase()] as Record<string, unknown> | undefined;
  if (!op) return [`no operation ${method} ${pathTemplate} in the document`];
  const declared = (op.responses as Record<string, Record<string, unknown>>)[String(res.status)];
  if (!declared) return [`status ${res.status} is not declared for ${method} ${pathTemplate}`];
  const errors: string[] = [];
  for (const h of Object.keys((declared.headers ?? {}) as object)) {
    if (["etag", "retry-after"].includes(h.toLowerCase()) && !res.headers.get(h)) errors.push(`header ${h} declared but missing`);
  }
  const content = declared.content as Record<string, { schema: Schema }> | undefined;
  const text = await res.clone().text();
  if (!content) {
    if (text !== "") errors.push(`status ${res.status} declares no body, got one`);
    return errors;
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim();
  if (!content[type]) return [...errors, `content type ${type} not declared for ${res.status}`];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...errors, "body is not JSON"];
  }
  return [...errors, ...validateJsonSchema(doc, content[type].schema, body)];
}
