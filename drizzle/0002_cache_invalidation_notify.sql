-- Every app instance caches retention policies and service tokens in memory
-- (the policy API is on the fleet's hot path). Any change to the rows they are
-- derived from announces itself on one channel at commit, whoever writes it,
-- so every instance drops its copy at once.
CREATE OR REPLACE FUNCTION zdr_notify_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key text;
BEGIN
  IF TG_TABLE_NAME = 'service_tokens' THEN
    key := 'token:' || COALESCE(NEW.id, OLD.id)::text;
  ELSIF TG_TABLE_NAME = 'organizations' THEN
    key := 'org:' || COALESCE(NEW.id, OLD.id)::text;
  ELSE
    key := 'org:' || COALESCE(NEW.org_id, OLD.org_id)::text;
  END IF;
  PERFORM pg_notify('zdr_cache', key);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER retention_states_notify AFTER INSERT OR UPDATE OR DELETE ON retention_states
  FOR EACH ROW EXECUTE FUNCTION zdr_notify_cache_change();
--> statement-breakpoint
CREATE TRIGGER organizations_notify AFTER UPDATE OR DELETE ON organizations
  FOR EACH ROW EXECUTE FUNCTION zdr_notify_cache_change();
--> statement-breakpoint
CREATE TRIGGER service_tokens_notify AFTER UPDATE OF revoked_at, scopes, token_hash OR DELETE ON service_tokens
  FOR EACH ROW EXECUTE FUNCTION zdr_notify_cache_change();
