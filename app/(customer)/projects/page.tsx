import type { Metadata } from "next";
import { requireCustomer } from "@/lib/auth/session";
import { listProjects } from "@/lib/projects/service";
import { describeProjectPolicy } from "@/lib/projects/describe";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { CreateProjectForm } from "@/components/projects/project-forms";
import { createProjectAction } from "./actions";

export const metadata: Metadata = { title: "Projects" };

export default async function ProjectsPage() {
  const user = await requireCustomer();
  const { orgPolicy, projects } = await listProjects(user, { orgId: user.orgId });
  const admin = user.role === "admin";
  return (
    <>
      <PageHeader
        title="Projects"
        description="A project can only tighten your organization's retention, never loosen it: the strictest value wins, and each value says where it comes from."
      />
      <div className="space-y-6">
        {admin ? (
          <Card aria-labelledby="create-project-title">
            <CardHeader id="create-project-title" title="Create a project" description="It starts with the organization's retention settings." />
            <CardBody>
              <CreateProjectForm action={createProjectAction} orgId={user.orgId} />
            </CardBody>
          </Card>
        ) : null}
        <Card aria-labelledby="projects-title">
          <CardHeader id="projects-title" title={`Projects (${projects.filter((p) => !p.project.archivedAt).length} active)`} />
          <CardBody>
            {projects.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No projects yet: every request follows the organization&apos;s settings.</p>
            ) : (
              <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                {projects.map(({ project, policy }) => {
                  const tightened = describeProjectPolicy(orgPolicy, policy).filter((l) => l.source === "project");
                  return (
                    <li key={project.id} className="py-3" data-testid="project-row">
                      <div className="flex flex-wrap items-center gap-2">
                        <a href={`/projects/${project.id}`} className="font-medium text-brand-700 underline dark:text-brand-300">
                          {project.name}
                        </a>
                        {project.archivedAt ? <Badge>Archived</Badge> : null}
                      </div>
                      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
                        {tightened.length === 0 ? "The organization's settings." : tightened.map((l) => `${l.label}: ${l.value}`).join(" · ")}
                      </p>
                    </li>
                  );
                })}
              </ul>
            )}
          </CardBody>
        </Card>
      </div>
    </>
  );
}
