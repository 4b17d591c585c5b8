/** Auth.js's own routes (/api/auth/*), each request checked for origin like every other state change. */
import type { NextRequest } from "next/server";
import { handlers } from "./index";
import { crossSiteRefusal, isSameOrigin } from "@/lib/http/origin";

export const GET = (req: NextRequest) => handlers.GET(req);
export const POST = (req: NextRequest) => (isSameOrigin(req.headers, req.nextUrl.origin) ? handlers.POST(req) : crossSiteRefusal());
