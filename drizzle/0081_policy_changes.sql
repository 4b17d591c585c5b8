CREATE TABLE "policy_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "policy_changes_changed_at_idx" ON "policy_changes" USING btree ("changed_at");--> statement-breakpoint
-- Every committed change of what an effective policy is derived from gets a
-- numbered row in the same transaction; the NOTIFY of 0002 tells the stream
-- to read them. Rows commit (or vanish) with the change itself.
CREATE OR REPLACE FUNCTION zdr_record_policy_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'organizations' THEN
    INSERT INTO policy_changes (org_id) VALUES (COALESCE(NEW.id, OLD.id));
  ELSE
    INSERT INTO policy_changes (org_id) VALUES (COALESCE(NEW.org_id, OLD.org_id));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER retention_states_policy_change AFTER INSERT OR UPDATE OR DELETE ON retention_states
  FOR EACH ROW EXECUTE FUNCTION zdr_record_policy_change();
--> statement-breakpoint
CREATE TRIGGER projects_policy_change AFTER INSERT OR UPDATE OR DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION zdr_record_policy_change();
--> statement-breakpoint
CREATE TRIGGER organizations_policy_change AFTER UPDATE OF plan OR DELETE ON organizations
  FOR EACH ROW EXECUTE FUNCTION zdr_record_policy_change();
