"use client";
/**
 * The project forms of an org admin: create, rename, tighten retention,
 * archive (behind the one confirmation dialog). Each carries the org it was
 * rendered for and the project's version; errors sit next to their field.
 */
import { useActionState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FieldError, FormStatus, fieldProps, inputClass } from "@/components/ui/form";
import { IDLE, typed, type ServerAction } from "@/lib/actions/result";

type Action<D = undefined> = ServerAction<D>;
/** What a form on one project's page needs: its action, the project, and the version it was read at. */
type ProjectFormProps = { action: Action; orgId: string; projectId: string; version: number; name: string };

export function CreateProjectForm({ action, orgId }: { action: Action<{ projectId: string }>; orgId: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const projectId = state.status === "ok" ? state.data?.projectId : undefined;
  return (
    <form action={formAction} className="flex flex-wrap items-start gap-3" noValidate>
      <input type="hidden" name="orgId" value={orgId} />
      <div className="min-w-64 flex-1">
        <label htmlFor="project-create-name" className="block text-sm font-medium">
          Name
        </label>
        <input {...fieldProps(state, "project-create", "name")} required maxLength={80} className={`${inputClass} mt-1`} />
        <FieldError result={state} prefix="project-create" name="name" />
      </div>
      <Button type="submit" variant="primary" disabled={pending} className="mt-6">
        {pending ? "Creating…" : "Create project"}
      </Button>
      <div className="basis-full">
        <FormStatus result={state} id="project-create-status" />
        {projectId ? (
          <a href={`/projects/${projectId}`} className="text-sm font-medium text-brand-700 underline dark:text-brand-300">
            Open the new project
          </a>
        ) : null}
      </div>
    </form>
  );
}

export function RenameProjectForm({ action, orgId, projectId, version, name }: ProjectFormProps) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction} className="flex flex-wrap items-start gap-3" noValidate>
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="expectedVersion" value={version} />
      <div className="min-w-64 flex-1">
        <label htmlFor="project-rename-name" className="block text-sm font-medium">
          Name
        </label>
        <input {...fieldProps(state, "project-rename", "name", name)} required maxLength={80} className={`${inputClass} mt-1`} />
        <FieldError result={state} prefix="project-rename" name="name" />
      </div>
      <Button type="submit" disabled={pending} className="mt-6">
        {pending ? "Renaming…" : "Rename"}
      </Button>
      <FormStatus result={state} id="project-rename-status" className="basis-full" />
    </form>
  );
}

export type PolicyFormValues = {
  zdrAllRequests: boolean;
  cacheWindowSeconds: number | null;
  contentRetentionDays: number | null;
  trainingUse: boolean | null;
};

/** The bounds come from the organization's effective policy: the form says them, the domain enforces them. */
export function ProjectPolicyForm({
  action,
  orgId,
  projectId,
  version,
  current,
  org,
}: {
  action: Action;
  orgId: string;
  projectId: string;
  version: number;
  current: PolicyFormValues;
  /** zdrAvailable: the organization's plan can have Zero Data Retention at all (enterprise). */
  org: { cacheWindowSeconds: number; contentRetentionDays: number; trainingUse: boolean; perRequest: boolean; zdrAvailable: boolean };
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const failed = state.status === "error";
  const zdrChecked = failed ? typed(state, "zdrAllRequests") === "on" : current.zdrAllRequests;
  const training = typed(state, "trainingUse", current.trainingUse === false ? "never" : "inherit");
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="expectedVersion" value={version} />
      {org.zdrAvailable ? (
        <div>
          <label className="flex items-center gap-2 text-sm font-medium">
            <input key={`zdr-${String(zdrChecked)}-${state.status}`} type="checkbox" name="zdrAllRequests" defaultChecked={zdrChecked} />
            Zero Data Retention for every request of this project
          </label>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {org.perRequest
              ? "The organization applies ZDR only to requests that set enable_logging=false; this makes it apply to all of this project's requests."
              : "The organization already applies ZDR to every request (when it is active); this changes nothing today."}
          </p>
        </div>
      ) : (
        <div>
          {/* The plan cannot have ZDR: nothing to choose, and a saved value is kept as it is. */}
          {current.zdrAllRequests ? <input type="hidden" name="zdrAllRequests" value="on" /> : null}
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="project-zdr-unavailable">
            Zero Data Retention is available on the enterprise plan.
          </p>
        </div>
      )}
      <div>
        <label htmlFor="project-policy-contentRetentionDays" className="block text-sm font-medium">
          Content retention (days)
        </label>
        <input
          {...fieldProps(state, "project-policy", "contentRetentionDays", current.contentRetentionDays?.toString() ?? "")}
          inputMode="numeric"
          placeholder={`organization: ${org.contentRetentionDays}`}
          className={`${inputClass} mt-1 max-w-48`}
        />
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          At most {org.contentRetentionDays}, the organization&apos;s; blank keeps the organization&apos;s.
        </p>
        <FieldError result={state} prefix="project-policy" name="contentRetentionDays" />
      </div>
      <div>
        <label htmlFor="project-policy-cacheWindowSeconds" className="block text-sm font-medium">
          Private cache window (seconds)
        </label>
        <input
          {...fieldProps(state, "project-policy", "cacheWindowSeconds", current.cacheWindowSeconds?.toString() ?? "")}
          inputMode="numeric"
          placeholder={`organization: ${org.cacheWindowSeconds}`}
          className={`${inputClass} mt-1 max-w-48`}
        />
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          At most {org.cacheWindowSeconds}, the organization&apos;s; blank keeps the organization&apos;s.
        </p>
        <FieldError result={state} prefix="project-policy" name="cacheWindowSeconds" />
      </div>
      <fieldset>
        <legend className="text-sm font-medium">Training use</legend>
        <label className="mt-1 flex items-center gap-2 text-sm">
          <input key={`ti-${training}-${state.status}`} type="radio" name="trainingUse" value="inherit" defaultChecked={training === "inherit"} />
          The organization&apos;s setting ({org.trainingUse ? "allowed under the plan" : "never"})
        </label>
        <label className="mt-1 flex items-center gap-2 text-sm">
          <input key={`tn-${training}-${state.status}`} type="radio" name="trainingUse" value="never" defaultChecked={training === "never"} />
          Never
        </label>
        <FieldError result={state} prefix="project-policy" name="trainingUse" />
      </fieldset>
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? "Saving…" : "Save retention settings"}
      </Button>
      <FormStatus result={state} id="project-policy-status" />
    </form>
  );
}

export function ArchiveProjectButton({ action, orgId, projectId, version, name }: ProjectFormProps) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <div className="space-y-2">
      <ConfirmDialog
        openLabel="Archive project…"
        openClassName={buttonClass("secondary")}
        title={`Archive ${name}?`}
        description="It leaves the list of active projects and can no longer be changed. Its usage history stays, and events that still name it are counted."
        testId="archive-project-dialog"
      >
        {(close) => (
          <form action={formAction} className="flex justify-end gap-2">
            <input type="hidden" name="orgId" value={orgId} />
            <input type="hidden" name="projectId" value={projectId} />
            <input type="hidden" name="expectedVersion" value={version} />
            <Button type="button" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button type="submit" variant="primary" disabled={pending} onClick={() => setTimeout(close, 0)}>
              Archive
            </Button>
          </form>
        )}
      </ConfirmDialog>
      <FormStatus result={state} id="project-archive-status" />
    </div>
  );
}
