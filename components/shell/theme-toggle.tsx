import type { ServerAction } from "@/lib/actions/result";
import { THEMES, THEME_LABELS, type Theme } from "@/lib/vocabulary";
import { Monitor, Moon, Sun } from "lucide-react";

const ICONS = { system: Monitor, light: Sun, dark: Moon } as const;

/** System, light or dark: the system's scheme by default, an explicit choice kept in a cookie. */
export function ThemeToggle({ theme, action }: { theme: Theme; action: ServerAction }) {
  return (
    <form action={action} className="flex items-center gap-1" aria-label="Theme">
      {THEMES.map((t) => {
        const Icon = ICONS[t];
        return (
          <button
            key={t}
            type="submit"
            name="theme"
            value={t}
            aria-pressed={t === theme}
            title={`${THEME_LABELS[t]} theme`}
            className="flex items-center gap-1 rounded-md px-2 py-1.5 text-xs text-slate-700 hover:bg-slate-100 aria-pressed:bg-slate-200 aria-pressed:font-semibold aria-pressed:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:aria-pressed:bg-slate-700 dark:aria-pressed:text-white"
          >
            <Icon className="size-3.5" aria-hidden="true" />
            {THEME_LABELS[t]}
          </button>
        );
      })}
    </form>
  );
}
