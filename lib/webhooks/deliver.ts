/**
 * One HTTP attempt of a webhook delivery: a POST to the endpoint's URL,
 * connected to the addresses resolveWebhookTarget just checked (a pinned
 * lookup, so DNS cannot answer differently between check and connect), a
 * timeout per attempt, no redirects followed (a 3xx is a failure), and the
 * response body read and thrown away (never logged or stored).
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { resolveWebhookTarget, type ResolvedTarget } from "./address";

export type AttemptResult = { ok: boolean; statusCode: number | null; error: string | null };

export const ATTEMPT_TIMEOUT_MS = 10_000;

export async function postWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  options: { allowPrivate: boolean; timeoutMs?: number },
): Promise<AttemptResult> {
  let target: ResolvedTarget;
  try {
    target = await resolveWebhookTarget(rawUrl, { allowPrivate: options.allowPrivate });
  } catch (err) {
    return { ok: false, statusCode: null, error: (err as Error).name === "WebhookAddressError" ? "refused address" : "resolve failed" };
  }
  const pinned: LookupFunction = (_host, opts, cb) => {
    const first = target.addresses[0];
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: typeof target.addresses) => void)(null, target.addresses);
    else cb(null, first.address, first.family);
  };
  const mod = target.url.protocol === "https:" ? https : http;
  const timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const done = (r: AttemptResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const req = mod.request(
      target.url,
      {
        method: "POST",
        lookup: pinned,
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "ZDR-Console-Webhooks/1" },
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        res.on("end", () =>
          done({
            ok: code >= 200 && code < 300,
            statusCode: code,
            error: code >= 200 && code < 300 ? null : code >= 300 && code < 400 ? `HTTP ${code} (redirects are not followed)` : `HTTP ${code}`,
          }),
        );
        res.on("error", () => done({ ok: false, statusCode: code, error: "response aborted" }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error("timeout"));
      done({ ok: false, statusCode: null, error: "timeout" });
    }, timeoutMs);
    timer.unref();
    req.on("timeout", () => {
      req.destroy(new Error("timeout"));
      done({ ok: false, statusCode: null, error: "timeout" });
    });
    req.on("error", (err: NodeJS.ErrnoException) =>
      done({ ok: false, statusCode: null, error: err.code ?? (err.message === "timeout" ? "timeout" : "connection failed") }),
    );
    req.on("close", () => clearTimeout(timer));
    req.end(body);
  });
}
