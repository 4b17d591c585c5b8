import { signOutAction } from "@/lib/actions/session";
import { buttonClass } from "@/components/ui/button";

/** A real form, so signing out works with the keyboard and without scripts. */
export function SignOutButton({ className }: { className?: string }) {
  return (
    <form action={signOutAction}>
      <button type="submit" className={className ?? buttonClass("ghost")}>
        Sign out
      </button>
    </form>
  );
}
