CREATE TABLE "audit_checkpoints" (
	"org_id" uuid NOT NULL,
	"tree_size" bigint NOT NULL,
	"root_hash" text NOT NULL,
	"jws" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_checkpoints_org_id_tree_size_pk" PRIMARY KEY("org_id","tree_size")
);
--> statement-breakpoint
CREATE TABLE "audit_tree_nodes" (
	"org_id" uuid NOT NULL,
	"level" integer NOT NULL,
	"idx" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_tree_nodes_org_id_level_idx_pk" PRIMARY KEY("org_id","level","idx")
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "org_seq" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_org_seq_key" ON "audit_log" USING btree ("org_id","org_seq");--> statement-breakpoint
CREATE TRIGGER audit_tree_nodes_no_update BEFORE UPDATE OR DELETE ON audit_tree_nodes
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_tree_nodes_no_truncate BEFORE TRUNCATE ON audit_tree_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
