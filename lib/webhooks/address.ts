/**
 * Where a webhook may be sent (server-side request forgery guard).
 *
 * Unless WEBHOOK_ALLOW_PRIVATE=true, an endpoint must be https and every
 * address its host resolves to must be public: loopback, private (RFC 1918),
 * shared (100.64/10), link-local, unique-local, multicast, reserved, and the
 * IPv6 forms that embed an IPv4 address (::ffff:a.b.c.d, 64:ff9b::/96, 6to4)
 * are refused. The check runs when the endpoint is added and again at every
 * delivery; the delivery then connects to exactly the addresses it checked
 * (a pinned lookup), so a DNS answer that changes in between (rebinding)
 * cannot slip through. Redirects are never followed (lib/webhooks/deliver.ts).
 *
 * The URL parser normalises decimal, octal and hex IPv4 hosts
 * (http://2130706433/, http://0177.0.0.1/) to dotted form before the check.
 */
import dns from "node:dns/promises";
import net from "node:net";

const blocked = new net.BlockList();
for (const [addr, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blocked.addSubnet(addr, prefix, "ipv4");
for (const [addr, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["::", 96], // IPv4-compatible (deprecated)
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const)
  blocked.addSubnet(addr, prefix, "ipv6");

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any. */
function embeddedIpv4(ip: string): string | null {
  const groups = expandIpv6(ip);
  if (!groups) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated)
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return v4(groups[6], groups[7]);
  if (groups.slice(0, 4).every((g) => g === 0) && groups[4] === 0xffff && groups[5] === 0) return v4(groups[6], groups[7]);
  // 64:ff9b::/96 (NAT64)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return v4(groups[6], groups[7]);
  // 2002::/16 (6to4): the next 32 bits
  if (groups[0] === 0x2002) return v4(groups[1], groups[2]);
  return null;
}

function expandIpv6(ip: string): number[] | null {
  let s = ip.toLowerCase().replace(/%.*$/, "");
  const dotted = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const p = dotted[1].split(".").map(Number);
    s = s.slice(0, -dotted[1].length) + `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
  }
  const [head, tail] = s.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
  const fill = tail !== undefined ? 8 - h.length - t.length : 0;
  const all = [...h, ...Array(Math.max(0, fill)).fill("0"), ...t];
  if (all.length !== 8) return null;
  const nums = all.map((g) => parseInt(g, 16));
  return nums.some((n) => Number.isNaN(n) || n < 0 || n > 0xffff) ? null : nums;
}

/** Whether an IP address (v4 or v6 literal) is one a webhook must not reach by default. */
export function isNonPublicAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return blocked.check(ip, "ipv4");
  if (family === 6) {
    const v4 = embeddedIpv4(ip);
    if (v4 && net.isIP(v4) === 4 && blocked.check(v4, "ipv4")) return true;
    return blocked.check(ip, "ipv6");
  }
  return true; // not an address at all: refuse rather than guess
}

export class WebhookAddressError extends Error {
  constructor(
    message: string,
    readonly field: "url" = "url",
  ) {
    super(message);
    this.name = "WebhookAddressError";
  }
}

export type ResolvedTarget = { url: URL; host: string; addresses: { address: string; family: 4 | 6 }[] };

/** The host of a URL as a bare name or address (IPv6 without brackets). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** Syntax only: scheme, no credentials, a host. Throws WebhookAddressError. */
export function parseWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new WebhookAddressError("url: must be a full URL like https://hooks.example.com/zdr");
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) {
    throw new WebhookAddressError(allowPrivate ? "url: must start with https:// or http://" : "url: must start with https://");
  }
  if (url.username || url.password) throw new WebhookAddressError("url: must not contain a user name or password");
  if (!url.hostname) throw new WebhookAddressError("url: must name a host");
  return url;
}

type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;
const systemLookup: Lookup = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * Resolves the URL's host and checks every address. Throws
 * WebhookAddressError when any is not public (unless allowed) or nothing
 * resolves.
 */
export async function resolveWebhookTarget(raw: string, options: { allowPrivate: boolean; lookup?: Lookup }): Promise<ResolvedTarget> {
  const url = parseWebhookUrl(raw, options.allowPrivate);
  const host = hostOf(url);
  let addresses: { address: string; family: number }[];
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await (options.lookup ?? systemLookup)(host);
    } catch {
      throw new WebhookAddressError("url: the host name does not resolve");
    }
  }
  if (addresses.length === 0) throw new WebhookAddressError("url: the host name does not resolve");
  if (!options.allowPrivate && addresses.some((a) => isNonPublicAddress(a.address))) {
    throw new WebhookAddressError("url: resolves to a loopback, private or reserved address, which webhooks may not reach");
  }
  return { url, host, addresses: addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })) };
}
