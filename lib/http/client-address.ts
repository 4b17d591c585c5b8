/**
 * The client's address as server.ts sees it: the socket's peer, or, behind
 * proxies named in TRUST_PROXY, the address the nearest trusted proxy
 * reported in X-Forwarded-For (proxy-addr walks the list from the socket
 * outwards and stops at the first hop it does not trust). Facing clients
 * directly (TRUST_PROXY unset) the header is ignored: anyone can write it.
 * server.ts puts the result in CLIENT_ADDRESS_HEADER, replacing any copy
 * the client sent, and lib/auth reads it from there.
 */
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

export const CLIENT_ADDRESS_HEADER = "x-zdr-client-address";

/** TRUST_PROXY: `loopback`, `uniquelocal`, addresses or CIDR ranges, comma-separated; or a number of hops. */
export function trustFunction(setting: string | undefined): (addr: string, i: number) => boolean {
  const value = setting?.trim();
  if (!value || value === "false") return () => false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_addr, i) => i < hops;
  }
  return proxyaddr.compile(
    value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export function resolveClientAddress(req: Pick<IncomingMessage, "headers" | "socket">, trust: (addr: string, i: number) => boolean): string {
  return proxyaddr(req as IncomingMessage, trust).slice(0, 64);
}
