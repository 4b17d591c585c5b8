import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import { THEME_COOKIE, themeOf } from "@/lib/vocabulary";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "ZDR Console", template: "%s · ZDR Console" },
  description: "Usage analytics and Zero Data Retention controls.",
  icons: { icon: "/favicon.svg" },
  robots: { index: false, follow: false },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

/**
 * Every page, /login and the error pages included, follows the system's colour
 * scheme unless the person picked one (a cookie, so the server renders it
 * without a flash). Reading the cookie also renders every page per request,
 * the 404 page too, so Next's scripts carry the request's CSP nonce.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const theme = themeOf((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" className={theme === "system" ? undefined : theme}>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">{children}</body>
    </html>
  );
}
