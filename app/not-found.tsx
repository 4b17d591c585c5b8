import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

/** Every 404 of the app: an unknown address, another tenant's id, a page that is not this person's to see. */
export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <p className="text-sm font-medium text-slate-600 dark:text-slate-400">404</p>
        <h1 className="mt-1 text-xl font-semibold">This page does not exist, or is not yours to see</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          Check the address. If someone sent you this link, it may belong to another organization or need an administrator&apos;s role.
        </p>
        <p className="mt-6 flex gap-4 text-sm">
          <Link href="/" className="font-medium text-brand-700 hover:underline dark:text-brand-100">
            Go to your dashboard
          </Link>
          <Link href="/login" className="text-slate-700 hover:underline dark:text-slate-300">
            Sign in as someone else
          </Link>
        </p>
      </div>
    </main>
  );
}
