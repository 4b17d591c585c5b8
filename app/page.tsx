import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";

/** Customers land on their usage; support staff on the console. */
export default async function Home() {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  redirect(user.isSupport ? "/support" : "/usage");
}
