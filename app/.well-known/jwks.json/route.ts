/** The public keys every signed document of ZDR Console verifies against (lib/signing). Public: no session needed. */
import { jwks } from "@/lib/signing";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return Response.json(await jwks(), { headers: { "cache-control": "public, max-age=300", "content-type": "application/jwk-set+json" } });
}
