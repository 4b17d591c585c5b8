"use client";
/**
 * The phone's menu: a disclosure button in the top bar that shows the
 * navigation below it. Opening moves focus to the first link; Escape closes
 * it and gives focus back to the button. From the md breakpoint up the panel
 * is always shown (the sidebar) and the button is hidden.
 */
import { createContext, useCallback, useContext, useEffect, useId, useRef, useState, type ReactNode } from "react";
import { usePathname } from "next/navigation";
import { Menu as MenuIcon, X } from "lucide-react";
import { cn } from "@/components/ui/cn";

type MenuState = {
  open: boolean;
  panelId: string;
  toggle: () => void;
  close: (refocus: boolean) => void;
  buttonRef: React.RefObject<HTMLButtonElement | null>;
};
const MenuContext = createContext<MenuState | null>(null);

function useMenu(): MenuState {
  const m = useContext(MenuContext);
  if (!m) throw new Error("Menu parts must be inside <MenuRoot>");
  return m;
}

export function MenuRoot({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement | null>(null);
  const close = useCallback((refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  }, []);
  const toggle = useCallback(() => setOpen((o) => !o), []);
  // A client-side navigation (the support console's links) closes the menu, as a full page load would.
  const pathname = usePathname();
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }
  return <MenuContext.Provider value={{ open, panelId, toggle, close, buttonRef }}>{children}</MenuContext.Provider>;
}

export function MenuButton() {
  const { open, panelId, toggle, buttonRef } = useMenu();
  return (
    <button
      ref={buttonRef}
      type="button"
      aria-expanded={open}
      aria-controls={panelId}
      onClick={toggle}
      className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 px-2.5 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 md:hidden dark:border-slate-600 dark:text-slate-100 dark:hover:bg-slate-800"
    >
      {open ? <X className="size-4" aria-hidden="true" /> : <MenuIcon className="size-4" aria-hidden="true" />}
      Menu
    </button>
  );
}

export function MenuPanel({ children, className }: { children: ReactNode; className?: string }) {
  const { open, panelId, close } = useMenu();
  const ref = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    if (!open) return;
    ref.current?.querySelector<HTMLElement>("a[href], button, [tabindex]:not([tabindex='-1'])")?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") close(true);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open, close]);
  return (
    <div id={panelId} ref={ref} className={cn(open ? "flex" : "hidden", "flex-col md:flex", className)}>
      {children}
    </div>
  );
}
