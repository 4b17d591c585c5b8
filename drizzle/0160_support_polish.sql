CREATE TYPE "public"."flag_review_status" AS ENUM('open', 'reviewed', 'dismissed');--> statement-breakpoint
ALTER TABLE "moderation_flags" ADD COLUMN "review_status" "flag_review_status" DEFAULT 'open' NOT NULL;--> statement-breakpoint
ALTER TABLE "moderation_flags" ADD COLUMN "reviewed_by" uuid;--> statement-breakpoint
ALTER TABLE "moderation_flags" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "moderation_flags" ADD COLUMN "review_note" text;--> statement-breakpoint
ALTER TABLE "service_tokens" ADD COLUMN "revoked_by" uuid;--> statement-breakpoint
ALTER TABLE "moderation_flags" ADD CONSTRAINT "moderation_flags_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;