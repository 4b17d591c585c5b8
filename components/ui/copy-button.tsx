"use client";
/** Copies a value to the clipboard and says so, politely, to screen readers too. */
import { useState } from "react";
import { Check, Copy } from "lucide-react";
import { buttonClass } from "./button";

export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className={buttonClass("secondary", "text-xs")}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setState("copied");
          } catch {
            setState("failed");
          }
        }}
      >
        {state === "copied" ? <Check className="size-3.5" aria-hidden="true" /> : <Copy className="size-3.5" aria-hidden="true" />}
        {label}
      </button>
      <span aria-live="polite" className="text-xs text-slate-700 dark:text-slate-300">
        {state === "copied" ? "Copied to the clipboard." : state === "failed" ? "Copying was refused by the browser: select the text and copy it." : ""}
      </span>
    </span>
  );
}
