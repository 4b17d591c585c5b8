import type { OrgProfile } from "@/lib/orgs/members";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";

/**
 * What a member sees on a page for administrators (members, webhooks, data
 * removal): that it is for administrators of the org, and who they are, so
 * they know whom to ask. Nothing of the page itself is read or drawn.
 */
export function AdminOnly({ title, org }: { title: string; org: OrgProfile }) {
  return (
    <div data-testid="admin-only">
      <PageHeader title={title} />
      <Card>
        <CardBody>
          <p className="text-sm text-slate-700 dark:text-slate-300">{`Only administrators of ${org.name} can open this page.`}</p>
          {org.admins.length ? (
            <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
              Your administrators:{" "}
              {org.admins.map((a, i) => (
                <span key={a.email}>
                  {i > 0 ? ", " : null}
                  <span className="font-medium text-slate-900 dark:text-slate-100">{a.name}</span> (
                  <a className="break-all text-brand-700 underline dark:text-brand-300" href={`mailto:${a.email}`}>
                    {a.email}
                  </a>
                  )
                </span>
              ))}
              .
            </p>
          ) : (
            <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">It has no active administrator right now.</p>
          )}
          <div className="mt-4">
            <ButtonLink href="/usage">Back to Usage</ButtonLink>
          </div>
        </CardBody>
      </Card>
    </div>
  );
}
