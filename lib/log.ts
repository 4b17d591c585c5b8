/**
 * The process's logger (pino): JSON lines in production, one readable line
 * per record in development. Redaction is by allow-list: a record keeps only
 * the fields named in ALLOWED (ids, codes, counts, durations), so an email
 * address, an IP address, a token or a body cannot reach stdout by accident;
 * anything else is dropped and counted in `dropped`. The security log with
 * addresses stays in the auth_events table.
 */
import pino, { type Logger } from "pino";
import { processState } from "@/lib/process-state";

const ALLOWED = new Set([
  "msg",
  "err",
  "component",
  "event",
  "requestId",
  "method",
  "route",
  "status",
  "ms",
  "bytes",
  "code",
  "sqlstate",
  "name",
  "kind",
  "userId",
  "orgId",
  "tokenId",
  "outboxId",
  "attempts",
  "count",
  "port",
  "database",
  "seeded",
  "transport",
  "signal",
  "reason",
  "inFlight",
  "field",
  "fields",
  "operation",
  "where",
  "pid",
  "socket",
]);

/** Keeps allowed keys; an error keeps its name and code only (a message can quote input). */
export function allowListed(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let dropped = 0;
  for (const [k, v] of Object.entries(obj)) {
    if (!ALLOWED.has(k)) {
      dropped++;
      continue;
    }
    if (k === "err" && v && typeof v === "object") {
      const e = v as { name?: unknown; code?: unknown };
      out.err = { name: typeof e.name === "string" ? e.name : "Error", ...(typeof e.code === "string" ? { code: e.code } : {}) };
    } else if (typeof v === "string" && /@|\b\d{1,3}(\.\d{1,3}){3}\b|bearer|zdr_[a-z]+_/i.test(v) && k !== "msg") {
      // A value that looks like an address or a token is dropped even under an allowed key.
      dropped++;
    } else {
      out[k] = v;
    }
  }
  if (dropped) out.dropped = dropped;
  return out;
}

/** A development line: `12:00:00.000 INFO  [component] msg key=value`. */
function readableLine(json: string): string {
  try {
    const { level, time, msg, component, ...rest } = JSON.parse(json) as Record<string, unknown>;
    const label = pino.levels.labels[level as number] ?? String(level);
    const t = new Date(time as number).toISOString().slice(11, 23);
    const extras = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(" ");
    return `${t} ${label.toUpperCase().padEnd(5)} ${component ? `[${component}] ` : ""}${msg ?? ""}${extras ? ` ${extras}` : ""}\n`;
  } catch {
    return json;
  }
}

function create(): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info");
  const readable = process.env.NODE_ENV !== "production" && process.env.LOG_FORMAT !== "json";
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    messageKey: "msg",
    formatters: { log: allowListed },
  };
  if (!readable) return pino(options, pino.destination({ dest: 1, sync: true }));
  return pino(options, { write: (line: string) => void process.stdout.write(readableLine(line)) });
}

const g = processState("log", (): { value?: Logger } => ({}));
/** One logger per process (Next bundles lib/ into several chunks). */
export const log: Logger = (g.value ??= create());

export function logger(component: string): Logger {
  return log.child({ component });
}
