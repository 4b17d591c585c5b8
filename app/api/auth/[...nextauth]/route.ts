/** Auth.js's own routes (/api/auth/*), each state change checked for origin like every other. */
import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/index";
import { crossSiteRefusal, isSameOrigin } from "@/lib/http/origin";

export const GET = (req: NextRequest) => handlers.GET(req);
export const POST = (req: NextRequest) => (isSameOrigin(req.headers, req.nextUrl.origin) ? handlers.POST(req) : crossSiteRefusal());
