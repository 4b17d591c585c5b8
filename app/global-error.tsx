"use client";
/**
 * A failure of the root layout itself: Next then renders this instead of the
 * whole document, so it brings its own <html> and the same styles (the
 * system's colour scheme through the dark variant of globals.css).
 */
import "./globals.css";
import { StatusPage } from "@/components/shell/status-page";

export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="antialiased">
        <title>Something went wrong · ZDR Console</title>
        <StatusPage
          title="ZDR Console could not be shown"
          actions={
            <button type="button" onClick={reset} className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
              Try again
            </button>
          }
        >
          <p role="alert">Something went wrong on our side. Nothing you did was lost: changes are saved only when their confirmation appears.</p>
          {error.digest ? <p>Reference for support: {error.digest}</p> : null}
        </StatusPage>
      </body>
    </html>
  );
}
