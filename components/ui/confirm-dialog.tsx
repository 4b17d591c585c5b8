"use client";
/**
 * The one confirmation dialog of the app, on the native <dialog> opened with
 * showModal(): focus moves into it (to the first field, or the element marked
 * data-autofocus), the rest of the page is inert, Escape closes it, and focus goes
 * back to the button that opened it (done here explicitly, not left to the
 * browser). It is named by its title and described by its description for
 * screen readers.
 *
 * Its content is rendered only while it is open, so a closed dialog leaves
 * nothing in the accessibility tree and nothing for a locator to find.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { cn } from "./cn";

export type ConfirmDialogProps = {
  /** The opener's text, e.g. "Restrict ZDR…". */
  openLabel: ReactNode;
  /** The opener's accessible name when its text is not enough (e.g. "Remove Marcus Lee"). */
  openAriaLabel?: string;
  openClassName?: string;
  title: ReactNode;
  description?: ReactNode;
  /** The dialog's body: usually the form. Receives `close`, for a Cancel button. */
  children: (close: () => void) => ReactNode;
  className?: string;
  testId?: string;
};

export function ConfirmDialog({ openLabel, openAriaLabel, openClassName, title, description, children, className, testId }: ConfirmDialogProps) {
  const [open, setOpen] = useState(false);
  // The dialog element in state (a callback ref), so `close` handed to the children reads no ref during render.
  const [dialog, setDialog] = useState<HTMLDialogElement | null>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    if (!open || !dialog || dialog.open) return;
    dialog.showModal();
    // showModal focused the first focusable element; an element marked data-autofocus (e.g. Cancel) wins.
    dialog.querySelector<HTMLElement>("[data-autofocus]")?.focus();
  }, [open, dialog]);

  const close = () => dialog?.close();

  return (
    <>
      <button ref={openerRef} type="button" aria-haspopup="dialog" aria-label={openAriaLabel} onClick={() => setOpen(true)} className={openClassName}>
        {openLabel}
      </button>
      <dialog
        ref={setDialog}
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        data-testid={testId}
        // Escape fires cancel, then close; every way out ends here.
        onClose={() => {
          setOpen(false);
          openerRef.current?.focus();
        }}
        className={cn(
          "w-[min(32rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/40 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100",
          className,
        )}
      >
        {open ? (
          <div className="space-y-3">
            <h2 id={titleId} className="text-base font-semibold">
              {title}
            </h2>
            {description ? (
              <p id={descriptionId} className="text-sm text-slate-700 dark:text-slate-300">
                {description}
              </p>
            ) : null}
            {children(close)}
          </div>
        ) : null}
      </dialog>
    </>
  );
}
