import type { Metadata } from "next";
import { requireCustomer } from "@/lib/auth/session";
import { orNotFound } from "@/lib/http/page-errors";
import { getProject } from "@/lib/projects/service";
import { describeProjectPolicy } from "@/lib/projects/describe";
import { planOffersZdr } from "@/lib/retention/policy";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { ArchiveProjectButton, ProjectPolicyForm, RenameProjectForm } from "@/components/projects/project-forms";
import { archiveProjectAction, renameProjectAction, updateProjectPolicyAction } from "../actions";

export const metadata: Metadata = { title: "Project" };

export default async function ProjectPage({ params }: { params: Promise<{ projectId: string }> }) {
  const user = await requireCustomer();
  const { projectId } = await params;
  // Another organization's project is as unknown as one that does not exist.
  const { project, policy, orgPolicy } = await orNotFound(getProject(user, { orgId: user.orgId, projectId }));
  const admin = user.role === "admin";
  const lines = describeProjectPolicy(orgPolicy, policy);
  const editable = admin && !project.archivedAt;
  return (
    <>
      <PageHeader
        title={project.name}
        description={
          <>
            <ButtonLink href="/projects" variant="ghost" className="px-1 py-0 underline">
              Projects
            </ButtonLink>{" "}
            · {project.archivedAt ? <Badge>Archived</Badge> : "Active"} ·{" "}
            <a href={`/usage?project=${project.id}`} className="underline">
              Usage of this project
            </a>
          </>
        }
      />
      <div className="space-y-6">
        <Card aria-labelledby="effective-title">
          <CardHeader
            id="effective-title"
            title="What this project keeps"
            description="The effective values for this project's requests: the stricter of the project's setting and the organization's."
          />
          <CardBody>
            <ul className="space-y-2" data-testid="effective-policy">
              {lines.map((l) => (
                <li key={l.key} data-testid={`effective-${l.key}`} data-source={l.source} className="text-sm">
                  {l.sentence}
                </li>
              ))}
            </ul>
          </CardBody>
        </Card>
        {editable ? (
          <>
            <Card aria-labelledby="tighten-title">
              <CardHeader
                id="tighten-title"
                title="Retention settings"
                description="A project can only tighten the organization's settings; a looser value is refused and nothing changes."
              />
              <CardBody>
                <ProjectPolicyForm
                  action={updateProjectPolicyAction}
                  orgId={user.orgId}
                  projectId={project.id}
                  version={project.version}
                  current={{
                    zdrAllRequests: project.zdrAllRequests,
                    cacheWindowSeconds: project.cacheWindowSeconds,
                    contentRetentionDays: project.contentRetentionDays,
                    trainingUse: project.trainingUse,
                  }}
                  org={{
                    cacheWindowSeconds: orgPolicy.cacheWindowSeconds,
                    contentRetentionDays: orgPolicy.contentRetentionDays,
                    trainingUse: orgPolicy.trainingUse,
                    perRequest: orgPolicy.zdr.scope === "per_request",
                    zdrAvailable: planOffersZdr(orgPolicy.plan),
                  }}
                />
              </CardBody>
            </Card>
            <Card aria-labelledby="manage-title">
              <CardHeader id="manage-title" title="Name and archive" />
              <CardBody className="space-y-4">
                <RenameProjectForm action={renameProjectAction} orgId={user.orgId} projectId={project.id} version={project.version} name={project.name} />
                <ArchiveProjectButton action={archiveProjectAction} orgId={user.orgId} projectId={project.id} version={project.version} name={project.name} />
              </CardBody>
            </Card>
          </>
        ) : (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {project.archivedAt
              ? "This project is archived; its settings can no longer be changed."
              : "Only an administrator of your organization can change this project."}
          </p>
        )}
      </div>
    </>
  );
}
