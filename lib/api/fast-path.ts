/**
 * The production server's fast path: the retention-policy lookup answered on
 * node:http before Next's router. The fleet asks it for every API request;
 * through Next's request pipeline (router, web Request and Response, streams)
 * one lookup cost about 0.6 ms of CPU, here it costs a few microseconds more
 * than the cached lookup itself (figures: bench/benchmarks/policy.ts).
 *
 * Only the exact GET target is taken; everything else, including HEAD and a
 * trailing slash, goes on to Next, which answers as it would anyway.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { API_SECURITY_HEADERS } from "@/lib/http/security-headers.js";
import { answerDecisionRequest, answerPolicyRequest, matchRetentionPath } from "./policy";
import type { PlainResponse } from "@/lib/http/problem";

const SECURITY = Object.fromEntries(API_SECURITY_HEADERS.map((h) => [h.key.toLowerCase(), h.value]));

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : (v ?? null);
}

// The raw header list of each answer, built once: cached policies come back as the same answer objects.
const rawHeaders = new WeakMap<PlainResponse, string[]>();

function send(res: ServerResponse, answer: PlainResponse): void {
  let raw = rawHeaders.get(answer);
  if (!raw) {
    raw = Object.entries({ ...SECURITY, ...answer.headers }).flat();
    rawHeaders.set(answer, raw);
  }
  res.writeHead(answer.status, raw);
  res.end(answer.body ?? undefined);
}

/** Answers the request and returns true when it is the fast path's; false leaves it to Next. */
export function serveFastPath(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET") return false;
  const target = matchRetentionPath(req.url ?? "");
  if (target === null) return false;
  const request = { authorization: header(req, "authorization"), ifNoneMatch: header(req, "if-none-match"), orgId: target.orgId, query: target.query };
  const answer = target.kind === "decision" ? answerDecisionRequest(request) : answerPolicyRequest(request);
  if (answer instanceof Promise) {
    answer.then(
      (a) => send(res, a),
      // answerPolicyRequest turns every error into a problem; this is the last resort, and says nothing of the cause.
      () => {
        if (!res.headersSent) res.writeHead(500, { ...SECURITY, "content-type": "text/plain", "cache-control": "no-store" });
        res.end("internal error");
      },
    );
  } else {
    send(res, answer);
  }
  return true;
}
