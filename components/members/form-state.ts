/** What a membership action returns to its form. */
export type MemberFormState = { ok: boolean; message: string | null; fields?: string[] };
export const IDLE_MEMBER_FORM: MemberFormState = { ok: false, message: null };
