CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"archived_at" timestamp with time zone,
	"zdr_all_requests" boolean DEFAULT false NOT NULL,
	"cache_window_seconds" integer,
	"content_retention_days" integer,
	"training_use" boolean,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_cache_window_range" CHECK ("projects"."cache_window_seconds" is null or "projects"."cache_window_seconds" between 0 and 3600),
	CONSTRAINT "project_retention_days_range" CHECK ("projects"."content_retention_days" is null or "projects"."content_retention_days" between 0 and 3650),
	CONSTRAINT "project_training_use_only_false" CHECK ("projects"."training_use" is null or "projects"."training_use" = false)
);
--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "project_id" uuid;--> statement-breakpoint
ALTER TABLE "usage_rollups_daily" ADD COLUMN "project_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_rollups_hourly" ADD COLUMN "project_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_rollups_daily" DROP CONSTRAINT "usage_rollups_daily_org_id_day_product_model_api_key_id_pk";--> statement-breakpoint
ALTER TABLE "usage_rollups_hourly" DROP CONSTRAINT "usage_rollups_hourly_org_id_hour_product_model_api_key_id_pk";--> statement-breakpoint
ALTER TABLE "usage_rollups_daily" ADD CONSTRAINT "usage_rollups_daily_org_id_day_product_model_api_key_id_project_id_pk" PRIMARY KEY("org_id","day","product","model","api_key_id","project_id");--> statement-breakpoint
ALTER TABLE "usage_rollups_hourly" ADD CONSTRAINT "usage_rollups_hourly_org_id_hour_product_model_api_key_id_project_id_pk" PRIMARY KEY("org_id","hour","product","model","api_key_id","project_id");--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "projects_org_idx" ON "projects" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_id_org_key" ON "projects" USING btree ("id","org_id");--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_project_id_org_id_projects_id_org_id_fk" FOREIGN KEY ("project_id","org_id") REFERENCES "public"."projects"("id","org_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_events_project_time_idx" ON "usage_events" USING btree ("project_id","occurred_at") WHERE "usage_events"."project_id" is not null;--> statement-breakpoint
-- A project's overrides are part of its org's effective policy: every change
-- announces itself on the same channel as retention_states (0002), so every
-- instance drops its cached copy and the policy stream pushes it.
CREATE TRIGGER projects_notify AFTER INSERT OR UPDATE OR DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION zdr_notify_cache_change();
