-- 0001_init.sql: the documentation schema (spec §4.3), database documentation, schema
-- documentation: documentation_systems, documentation_ideas, documentation_files,
-- documentation_audit_log.
--
-- Errata fixed here (DESIGN.md §6):
--   1  documentation_audit_log is a native range partition (monthly) with keys that include
--      changed_at.
--   4  the actor of a change is the per-transaction setting app.actor, not CURRENT_USER;
--      changes without it are refused (SQLSTATE TS001).
--   13 all times are TIMESTAMPTZ (microseconds).
-- Spec §4.3 weaknesses fixed as it proposes: a file size limit (100 MB), a file_path pattern
-- (uploads/YYYY/MM/name, stricter than the spec's prefix test: no "..", no subdirectories),
-- files deleted with their idea (ON DELETE CASCADE). See docs/schema.md.

CREATE SCHEMA IF NOT EXISTS documentation;

-- ---------------------------------------------------------------------------------------------
-- documentation_systems: the systems the documentation describes.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE documentation.documentation_systems (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        varchar(255) NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    description text NULL,
    status      varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deprecated', 'archived')),
    owner       varchar(100) NULL,
    created_by  varchar(100) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    metadata    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TRIGGER trg_documentation_systems_update_timestamp
    BEFORE UPDATE ON documentation.documentation_systems
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- documentation_ideas: the idea bank (replaces the LowDB file). An idea may belong to a
-- system; deleting the system keeps its ideas, unattached.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE documentation.documentation_ideas (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    system_id   uuid NULL REFERENCES documentation.documentation_systems (id) ON DELETE SET NULL,
    title       varchar(255) NOT NULL CHECK (btrim(title) <> ''),
    description text NULL,
    status      varchar(20) NOT NULL DEFAULT 'new' CHECK (
                status IN ('new', 'under_review', 'approved', 'in_progress', 'done', 'rejected')),
    priority    varchar(20) NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    tags        text[] NOT NULL DEFAULT '{}',
    created_by  varchar(100) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    metadata    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX idx_documentation_ideas_system ON documentation.documentation_ideas (system_id);
CREATE INDEX idx_documentation_ideas_status ON documentation.documentation_ideas (status, created_at DESC);

CREATE TRIGGER trg_documentation_ideas_update_timestamp
    BEFORE UPDATE ON documentation.documentation_ideas
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- documentation_files: files attached to an idea, stored under uploads/YYYY/MM/ by the
-- program; at most 100 MB; deleted with their idea.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE documentation.documentation_files (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    idea_id     uuid NOT NULL,
    file_name   varchar(255) NOT NULL CHECK (btrim(file_name) <> ''),   -- as uploaded
    file_path   varchar(500) NOT NULL UNIQUE,
    mime_type   varchar(100) NOT NULL DEFAULT 'application/octet-stream',
    size_bytes  bigint NOT NULL CHECK (size_bytes >= 0),
    checksum    varchar(64) NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),      -- SHA-256, hex
    uploaded_by varchar(100) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chk_file_size_limit CHECK (size_bytes <= 104857600),       -- 100 MB
    CONSTRAINT chk_file_path_pattern CHECK (
        file_path ~ '^uploads/[0-9]{4}/(0[1-9]|1[0-2])/[A-Za-z0-9_-][A-Za-z0-9._-]*$'),
    CONSTRAINT documentation_files_idea_id_fkey FOREIGN KEY (idea_id)
        REFERENCES documentation.documentation_ideas (id) ON DELETE CASCADE
);

CREATE INDEX idx_documentation_files_idea ON documentation.documentation_files (idea_id);

-- ---------------------------------------------------------------------------------------------
-- documentation_audit_log: one row per insert, update or delete of a system, idea or file,
-- partitioned monthly on changed_at. No FKs: the trail of deleted rows is kept.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE documentation.documentation_audit_log (
    id          uuid NOT NULL DEFAULT public.ts_uuid_v7(),
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    entity_type varchar(20) NOT NULL CHECK (entity_type IN ('system', 'idea', 'file')),
    entity_id   uuid NOT NULL,
    action      varchar(20) NOT NULL CHECK (action IN ('CREATED', 'UPDATED', 'DELETED')),
    changed_by  varchar(100) NOT NULL CHECK (btrim(changed_by) <> ''),
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    changes     jsonb NOT NULL,
    PRIMARY KEY (id, changed_at)
) PARTITION BY RANGE (changed_at);

CREATE INDEX idx_documentation_audit_entity
    ON documentation.documentation_audit_log (entity_type, entity_id, changed_at DESC);
CREATE INDEX idx_documentation_audit_changed_by
    ON documentation.documentation_audit_log (changed_by, changed_at DESC);

SELECT public.ts_partition_register('documentation.documentation_audit_log', interval '1 month', 2, NULL);

-- AFTER INSERT OR UPDATE OR DELETE on the three tables; TG_ARGV[0] is the entity type.
-- Actor from app.actor (TS001 if unset). SECURITY DEFINER: the application role needs no
-- write privilege on the audit log.
CREATE OR REPLACE FUNCTION documentation.audit_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor text := public.ts_actor();
    delta jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO documentation.documentation_audit_log (entity_type, entity_id, action, changed_by, changes)
        VALUES (TG_ARGV[0], NEW.id, 'CREATED', actor,
                public.ts_jsonb_diff(NULL, to_jsonb(NEW), ARRAY['id', 'updated_at']));
    ELSIF TG_OP = 'UPDATE' THEN
        delta := public.ts_jsonb_diff(to_jsonb(OLD), to_jsonb(NEW), ARRAY['updated_at']);
        IF delta <> '{}'::jsonb THEN
            INSERT INTO documentation.documentation_audit_log (entity_type, entity_id, action, changed_by, changes)
            VALUES (TG_ARGV[0], NEW.id, 'UPDATED', actor, delta);
        END IF;
    ELSE
        INSERT INTO documentation.documentation_audit_log (entity_type, entity_id, action, changed_by, changes)
        VALUES (TG_ARGV[0], OLD.id, 'DELETED', actor,
                public.ts_jsonb_diff(to_jsonb(OLD), NULL, ARRAY['id']));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_documentation_systems_audit
    AFTER INSERT OR UPDATE OR DELETE ON documentation.documentation_systems
    FOR EACH ROW EXECUTE FUNCTION documentation.audit_change('system');
CREATE TRIGGER trg_documentation_ideas_audit
    AFTER INSERT OR UPDATE OR DELETE ON documentation.documentation_ideas
    FOR EACH ROW EXECUTE FUNCTION documentation.audit_change('idea');
CREATE TRIGGER trg_documentation_files_audit
    AFTER INSERT OR UPDATE OR DELETE ON documentation.documentation_files
    FOR EACH ROW EXECUTE FUNCTION documentation.audit_change('file');

SELECT public.ts_partition_maintain(now());
