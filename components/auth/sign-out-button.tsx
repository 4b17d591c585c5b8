import { signOutAction, signOutEverywhereAction } from "@/lib/actions/session";
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

/** Ends every session of the user, on every device (a lost laptop, a shared computer). */
export function SignOutEverywhereButton({ className }: { className?: string }) {
  return (
    <form action={signOutEverywhereAction}>
      <button type="submit" className={className ?? buttonClass("ghost", "text-xs")}>
        Sign out on all devices
      </button>
    </form>
  );
}
