/**
 * Any /api/v1 address no route serves: a problem+json 404 like every other
 * error of the machine API, never the HTML 404 page. It names no part of the
 * request, and needs no token: there is nothing here to protect.
 */
import { problemResponse } from "@/lib/http/problem";

export const dynamic = "force-dynamic";

function unknownEndpoint(): Response {
  return problemResponse("not_found", "No endpoint of the API has this address. The endpoints are listed in /api/v1/openapi.json.");
}

export const GET = unknownEndpoint;
export const HEAD = unknownEndpoint;
export const POST = unknownEndpoint;
export const PUT = unknownEndpoint;
export const PATCH = unknownEndpoint;
export const DELETE = unknownEndpoint;
export const OPTIONS = unknownEndpoint;
