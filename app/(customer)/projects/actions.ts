"use server";
/**
 * Project actions of the org admin, through the one wrapper; each domain
 * function checks "projects.manage" and the tenant again.
 */
import { action } from "@/lib/actions/action";
import {
  archiveProject,
  ArchiveProjectInput,
  createProject,
  CreateProjectInput,
  renameProject,
  RenameProjectInput,
  updateProjectPolicy,
  ProjectPolicyInput,
} from "@/lib/projects/service";

const spec = { operation: "projects.manage", who: "customer", revalidate: ["/projects", "/retention", "/notices"] } as const;

export const createProjectAction = action({ ...spec, schema: CreateProjectInput }, async ({ actor, input, org }) => {
  const p = await createProject(actor, { ...input, orgId: org.id });
  return { message: `Project ${p.name} created for ${org.name}; it starts with the organization's retention settings.`, data: { projectId: p.id } };
});

export const renameProjectAction = action({ ...spec, schema: RenameProjectInput }, async ({ actor, input, org }) => {
  const p = await renameProject(actor, { ...input, orgId: org.id });
  return { message: `Project renamed to ${p.name}.` };
});

export const archiveProjectAction = action({ ...spec, schema: ArchiveProjectInput }, async ({ actor, input, org }) => {
  const p = await archiveProject(actor, { ...input, orgId: org.id });
  return { message: `Project ${p.name} archived.` };
});

export const updateProjectPolicyAction = action({ ...spec, schema: ProjectPolicyInput }, async ({ actor, input, org }) => {
  const p = await updateProjectPolicy(actor, { ...input, orgId: org.id });
  return { message: `Retention settings of ${p.name} saved; the serving fleet applies them within seconds.` };
});
