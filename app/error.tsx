"use client";
/** An unexpected failure of a page: says so plainly, offers a retry, and shows nothing of the cause. */
import Link from "next/link";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div role="alert" className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">This page could not be shown</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          Something went wrong on our side. Nothing you did was lost: changes are saved only when their confirmation appears.
          {error.digest ? ` Reference for support: ${error.digest}.` : ""}
        </p>
        <p className="mt-6 flex gap-4 text-sm">
          <button type="button" onClick={reset} className="rounded-md bg-brand-600 px-3 py-2 font-medium text-white hover:bg-brand-700">
            Try again
          </button>
          <Link href="/" className="self-center text-slate-700 hover:underline dark:text-slate-300">
            Go to your dashboard
          </Link>
        </p>
      </div>
    </main>
  );
}
