import type { ServerAction } from "@/lib/actions/result";
import { Moon, Sun } from "lucide-react";

/** Light or dark, kept in a cookie so the server renders the right one without a flash. */
export function ThemeToggle({ dark, action }: { dark: boolean; action: ServerAction }) {
  return (
    <form action={action}>
      <input type="hidden" name="theme" value={dark ? "light" : "dark"} />
      <button
        type="submit"
        className="flex w-full items-center gap-2 rounded-md px-2.5 py-1.5 text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
      >
        {dark ? <Sun className="size-4" aria-hidden="true" /> : <Moon className="size-4" aria-hidden="true" />}
        {dark ? "Light theme" : "Dark theme"}
      </button>
    </form>
  );
}
