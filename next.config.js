import { API_SECURITY_HEADERS, SECURITY_HEADERS } from "./lib/http/security-headers.js";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships wasm and must load from node_modules at run time, not from a bundle.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-socket",
    "@node-rs/argon2",
    "pg",
    "pino",
    "prom-client",
    "@clickhouse/client",
    "@clickhouse/client-common",
  ],
  poweredByHeader: false,
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      { source: "/api/v1/:path*", headers: API_SECURITY_HEADERS },
    ];
  },
};

export default nextConfig;
