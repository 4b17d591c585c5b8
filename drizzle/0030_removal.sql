CREATE TYPE "public"."removal_job_kind" AS ENUM('request', 'retention');--> statement-breakpoint
CREATE TYPE "public"."removal_job_status" AS ENUM('queued', 'running', 'done', 'failed');--> statement-breakpoint
CREATE TYPE "public"."removal_order_status" AS ENUM('pending', 'completed');--> statement-breakpoint
CREATE TYPE "public"."removal_scope" AS ENUM('organization', 'project', 'api_key');--> statement-breakpoint
CREATE TYPE "public"."removal_status" AS ENUM('pending', 'approved', 'running', 'completed', 'failed', 'rejected', 'cancelled');--> statement-breakpoint
ALTER TYPE "public"."notice_kind" ADD VALUE 'removal_requested';--> statement-breakpoint
ALTER TYPE "public"."notice_kind" ADD VALUE 'removal_approved';--> statement-breakpoint
ALTER TYPE "public"."notice_kind" ADD VALUE 'removal_rejected';--> statement-breakpoint
ALTER TYPE "public"."notice_kind" ADD VALUE 'removal_cancelled';--> statement-breakpoint
ALTER TYPE "public"."notice_kind" ADD VALUE 'removal_running';--> statement-breakpoint
ALTER TYPE "public"."notice_kind" ADD VALUE 'removal_completed';--> statement-breakpoint
ALTER TYPE "public"."notice_kind" ADD VALUE 'removal_failed';--> statement-breakpoint
CREATE TABLE "removal_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "removal_job_kind" NOT NULL,
	"request_id" uuid,
	"org_id" uuid NOT NULL,
	"project_id" uuid,
	"api_key_id" text,
	"from_at" timestamp with time zone NOT NULL,
	"to_at" timestamp with time zone NOT NULL,
	"adjust_rollups" boolean NOT NULL,
	"status" "removal_job_status" DEFAULT 'queued' NOT NULL,
	"events_deleted" bigint DEFAULT 0 NOT NULL,
	"hourly_rows_deleted" bigint DEFAULT 0 NOT NULL,
	"hourly_rows_adjusted" bigint DEFAULT 0 NOT NULL,
	"daily_rows_deleted" bigint DEFAULT 0 NOT NULL,
	"daily_rows_adjusted" bigint DEFAULT 0 NOT NULL,
	"rows_remaining" bigint,
	"batches" integer DEFAULT 0 NOT NULL,
	"max_batch_ms" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"leased_until" timestamp with time zone,
	"last_error" text,
	"verification" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "removal_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"status" "removal_order_status" DEFAULT 'pending' NOT NULL,
	"items_removed" bigint,
	"completed_at" timestamp with time zone,
	"reported_at" timestamp with time zone,
	"reported_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "removal_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"scope" "removal_scope" NOT NULL,
	"project_id" uuid,
	"api_key_id" text,
	"from_day" date NOT NULL,
	"to_day" date NOT NULL,
	"from_at" timestamp with time zone NOT NULL,
	"to_at" timestamp with time zone NOT NULL,
	"time_zone" text NOT NULL,
	"include_content" boolean DEFAULT false NOT NULL,
	"status" "removal_status" DEFAULT 'pending' NOT NULL,
	"requested_by" uuid,
	"requested_by_label" text,
	"reviewed_by" uuid,
	"reviewed_by_label" text,
	"review_reason" text,
	"ticket_ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewed_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"counts" jsonb,
	"failure" text,
	"last_audit_id" bigint,
	CONSTRAINT "removal_range_order" CHECK ("removal_requests"."from_at" < "removal_requests"."to_at" and "removal_requests"."from_day" <= "removal_requests"."to_day"),
	CONSTRAINT "removal_scope_target" CHECK (("removal_requests"."scope" = 'project') = ("removal_requests"."project_id" is not null) and ("removal_requests"."scope" = 'api_key') = ("removal_requests"."api_key_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "usage_retention_days" integer DEFAULT 400 NOT NULL;--> statement-breakpoint
ALTER TABLE "removal_jobs" ADD CONSTRAINT "removal_jobs_request_id_removal_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."removal_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "removal_jobs" ADD CONSTRAINT "removal_jobs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "removal_orders" ADD CONSTRAINT "removal_orders_request_id_removal_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."removal_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "removal_orders" ADD CONSTRAINT "removal_orders_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "removal_requests" ADD CONSTRAINT "removal_requests_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "removal_requests" ADD CONSTRAINT "removal_requests_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "removal_requests" ADD CONSTRAINT "removal_requests_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "removal_jobs_due_idx" ON "removal_jobs" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "removal_jobs_request_key" ON "removal_jobs" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "removal_orders_request_key" ON "removal_orders" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "removal_orders_status_idx" ON "removal_orders" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "removal_requests_org_idx" ON "removal_requests" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "removal_requests_status_idx" ON "removal_requests" USING btree ("status","created_at");--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "usage_retention_days_range" CHECK ("organizations"."usage_retention_days" between 30 and 1825);