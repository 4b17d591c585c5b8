export type CreateTokenState =
  | { status: "idle" }
  | { status: "error"; errors: Record<string, string>; values: { name: string; scopes: string[] } }
  /** The token itself is in this state once, in the answer to the form; it is stored nowhere but as a hash. */
  | { status: "created"; token: string; name: string; scopes: string[] };
