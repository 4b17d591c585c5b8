import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { removalCertificate } from "@/lib/removal/certificate";

/** GET /data-removal/{id}/certificate: the signed certificate (compact JWS) of a completed removal. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const user = await getCurrentUser();
  try {
    if (!user) throw new AppError("unauthorized", "Sign in first");
    if (!user.orgId) throw new AppError("not_found", "Not found");
    const { id } = await params;
    const { jws } = await removalCertificate(user, { orgId: user.orgId, requestId: id });
    return new Response(jws, {
      headers: {
        "content-type": "application/jose",
        "content-disposition": `attachment; filename="removal-certificate-${id}.jws"`,
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    if (e instanceof AppError) {
      // A member's 403 is told as 404 too: the certificate is not theirs to know of.
      const status = e.code === "forbidden" ? 404 : e.status;
      return Response.json(
        { type: "about:blank", title: status === 404 ? "Not found" : e.message, status },
        { status, headers: { "content-type": "application/problem+json" } },
      );
    }
    throw e;
  }
}
