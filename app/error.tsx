"use client";
/** An unexpected failure of a page: says so plainly, offers a retry, and shows nothing of the cause. */
import { StatusPage } from "@/components/shell/status-page";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <StatusPage
      title="This page could not be shown"
      actions={
        <button type="button" onClick={reset} className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Try again
        </button>
      }
    >
      <p role="alert">Something went wrong on our side. Nothing you did was lost: changes are saved only when their confirmation appears.</p>
      {error.digest ? <p>Reference for support: {error.digest}</p> : null}
    </StatusPage>
  );
}
