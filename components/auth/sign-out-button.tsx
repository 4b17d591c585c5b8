import { signOutAction } from "@/lib/auth/actions";

/** A real form, so signing out works with the keyboard and without scripts. */
export function SignOutButton({ className }: { className?: string }) {
  return (
    <form action={signOutAction}>
      <button type="submit" className={className ?? "text-sm font-medium text-slate-600 underline-offset-4 hover:underline dark:text-slate-300"}>
        Sign out
      </button>
    </form>
  );
}
