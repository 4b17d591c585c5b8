/** What a support action returns to its form: a message and an error per field. */
export type ActionState = {
  status: "idle" | "ok" | "error";
  message?: string;
  errors?: Record<string, string>;
  /** Someone else changed the state first: the page shows the current one. */
  conflict?: boolean;
};

export const IDLE: ActionState = { status: "idle" };
