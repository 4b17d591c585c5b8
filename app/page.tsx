import { redirect } from "next/navigation";
import { getCurrentUser, TWO_FACTOR_PAGE } from "@/lib/auth/session";

/** Customers land on their usage; support staff on the console (once they have a second factor). */
export default async function Home() {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  redirect(user.mustEnrolTwoFactor ? TWO_FACTOR_PAGE : user.isSupport ? "/support" : "/usage");
}
