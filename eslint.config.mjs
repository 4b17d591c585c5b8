import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    // A delete or update without a where clause empties or rewrites a whole table: drizzle's own lint refuses it.
    files: ["lib/**/*.ts", "scripts/**/*.ts", "app/**/*.ts", "app/**/*.tsx"],
    plugins: { drizzle },
    rules: {
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx", "d"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx", "d"] }],
    },
  },
  {
    ignores: [".next/**", ".data/**", "node_modules/**", "test-results/**", "playwright-report/**", "bench/results/**", "next-env.d.ts"],
  },
];

export default config;
