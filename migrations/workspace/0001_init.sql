-- 0001_init.sql: the workspace schema (spec §4.2, §9.1), database workspace, schema workspace:
-- users, workspace_items, workspace_audit_log, and the row-level security policies.
--
-- Errata fixed here (DESIGN.md §6):
--   1  workspace_audit_log is a native range partition (monthly) with keys that include
--      changed_at.
--   4  the actor of a change is the per-transaction setting app.actor (not CURRENT_USER, the
--      pooled database role); changes without it are refused (SQLSTATE TS001).
--   9  users has the `role` column the admin RLS policy reads.
--   13 all times are TIMESTAMPTZ (microseconds).
-- Row-level security does not apply to superusers, to roles with BYPASSRLS, nor to the
-- table's owner (no FORCE ROW LEVEL SECURITY here): the program must connect with a role that
-- is none of these for the policies to take effect. See docs/schema.md.

CREATE SCHEMA IF NOT EXISTS workspace;

-- ---------------------------------------------------------------------------------------------
-- users (spec §4.2, plus `role`, erratum 9).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE workspace.users (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username   varchar(100) NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]*$'),
    email      varchar(255) NOT NULL UNIQUE CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    role       varchar(20) NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user', 'viewer')),
    status     varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- An address differing only in case is the same address.
CREATE UNIQUE INDEX uq_users_email_lower ON workspace.users (lower(email));

CREATE TRIGGER trg_users_update_timestamp
    BEFORE UPDATE ON workspace.users
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- workspace_items: features, tasks, bugs and ideas of the workspace (plain table).
-- created_by/updated_by reference users(username) (spec §4.2). signal_id refers to a signal in
-- the tp_capital database: checked by the service (spec §5.1), no FK across databases.
-- metadata must be a JSON object with an integer "version" (validation trigger, spec §4.2).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE workspace.workspace_items (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title       varchar(255) NOT NULL CHECK (btrim(title) <> ''),
    description text NULL,
    item_type   varchar(20) NOT NULL DEFAULT 'task' CHECK (item_type IN ('feature', 'task', 'bug', 'idea')),
    status      varchar(20) NOT NULL DEFAULT 'open' CHECK (
                status IN ('open', 'in_progress', 'blocked', 'done', 'archived')),
    priority    varchar(20) NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    tags        text[] NOT NULL DEFAULT '{}',
    signal_id   uuid NULL,
    metadata    jsonb NOT NULL DEFAULT '{"version": 1}'::jsonb,
    created_by  varchar(100) NULL REFERENCES workspace.users (username)
                ON UPDATE CASCADE ON DELETE SET NULL,
    updated_by  varchar(100) NULL REFERENCES workspace.users (username)
                ON UPDATE CASCADE ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_workspace_items_status ON workspace.workspace_items (status, updated_at DESC);
CREATE INDEX idx_workspace_items_created_by ON workspace.workspace_items (created_by);
CREATE INDEX idx_workspace_items_updated_by ON workspace.workspace_items (updated_by);
CREATE INDEX idx_workspace_items_signal ON workspace.workspace_items (signal_id) WHERE signal_id IS NOT NULL;
CREATE INDEX idx_workspace_items_metadata ON workspace.workspace_items USING gin (metadata);
CREATE INDEX idx_workspace_items_tags ON workspace.workspace_items USING gin (tags);

CREATE TRIGGER trg_workspace_items_update_timestamp
    BEFORE UPDATE ON workspace.workspace_items
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- Spec §4.2, completed: the object must have "version", a positive integer.
-- Raises SQLSTATE 23514 (check_violation).
CREATE OR REPLACE FUNCTION workspace.validate_item_metadata() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF jsonb_typeof(NEW.metadata) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'metadata must be a JSON object' USING ERRCODE = 'check_violation';
    END IF;
    IF NOT (NEW.metadata ?& ARRAY['version']) THEN
        RAISE EXCEPTION 'metadata must contain "version" key' USING ERRCODE = 'check_violation';
    END IF;
    IF jsonb_typeof(NEW.metadata -> 'version') <> 'number'
       OR (NEW.metadata ->> 'version')::numeric <> trunc((NEW.metadata ->> 'version')::numeric)
       OR (NEW.metadata ->> 'version')::numeric < 1 THEN
        RAISE EXCEPTION 'metadata "version" must be a positive integer, not %', NEW.metadata -> 'version'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_validate_metadata
    BEFORE INSERT OR UPDATE ON workspace.workspace_items
    FOR EACH ROW EXECUTE FUNCTION workspace.validate_item_metadata();

-- ---------------------------------------------------------------------------------------------
-- workspace_audit_log: one row per insert, update or delete of an item, partitioned monthly on
-- changed_at. No FK to the item: the trail of a deleted item is kept (its last state is in
-- `changes` of the DELETED row).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE workspace.workspace_audit_log (
    id         uuid NOT NULL DEFAULT public.ts_uuid_v7(),
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    item_id    uuid NOT NULL,
    action     varchar(20) NOT NULL CHECK (action IN ('CREATED', 'UPDATED', 'DELETED')),
    changed_by varchar(100) NOT NULL CHECK (btrim(changed_by) <> ''),
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    changes    jsonb NOT NULL,
    PRIMARY KEY (id, changed_at)
) PARTITION BY RANGE (changed_at);

CREATE INDEX idx_workspace_audit_item ON workspace.workspace_audit_log (item_id, changed_at DESC);
CREATE INDEX idx_workspace_audit_changed_by ON workspace.workspace_audit_log (changed_by, changed_at DESC);

SELECT public.ts_partition_register('workspace.workspace_audit_log', interval '1 month', 2, NULL);

-- AFTER INSERT OR UPDATE OR DELETE on items: the audit row, actor from app.actor (TS001 if
-- unset). changes: {"column": {"old": ..., "new": ...}} of the changed columns.
-- SECURITY DEFINER: the application role needs no write privilege on the audit log.
CREATE OR REPLACE FUNCTION workspace.audit_item_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor text := public.ts_actor();
    delta jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO workspace.workspace_audit_log (item_id, action, changed_by, changes)
        VALUES (NEW.id, 'CREATED', actor, public.ts_jsonb_diff(NULL, to_jsonb(NEW), ARRAY['id', 'updated_at']));
    ELSIF TG_OP = 'UPDATE' THEN
        delta := public.ts_jsonb_diff(to_jsonb(OLD), to_jsonb(NEW), ARRAY['updated_at']);
        IF delta <> '{}'::jsonb THEN
            INSERT INTO workspace.workspace_audit_log (item_id, action, changed_by, changes)
            VALUES (NEW.id, 'UPDATED', actor, delta);
        END IF;
    ELSE
        INSERT INTO workspace.workspace_audit_log (item_id, action, changed_by, changes)
        VALUES (OLD.id, 'DELETED', actor, public.ts_jsonb_diff(to_jsonb(OLD), NULL, ARRAY['id']));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_workspace_items_audit
    AFTER INSERT OR UPDATE OR DELETE ON workspace.workspace_items
    FOR EACH ROW EXECUTE FUNCTION workspace.audit_item_change();

-- ---------------------------------------------------------------------------------------------
-- Row-level security (spec §9.1, fixed). The person is app.actor when the transaction sets it
-- (pooled connections, erratum 4), else the database role (one role per person, as the spec
-- assumed). A user reaches the items they created or last updated; an active admin
-- (users.role = 'admin', erratum 9) reaches every item. Policies are permissive: either grants.
-- Superusers, BYPASSRLS roles and the owner are not subject to RLS (see the header).
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION workspace.current_actor() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(btrim(current_setting('app.actor', true)), ''), current_user::text)
$$;

-- SECURITY DEFINER: the policy can read users.role without the caller needing SELECT on
-- users. search_path is pinned, as it must be for a definer function.
CREATE OR REPLACE FUNCTION workspace.current_actor_is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM workspace.users u
                   WHERE u.username = workspace.current_actor()
                     AND u.role = 'admin' AND u.status = 'active')
$$;

ALTER TABLE workspace.workspace_items ENABLE ROW LEVEL SECURITY;

CREATE POLICY workspace_items_user_access ON workspace.workspace_items
    USING (created_by = workspace.current_actor() OR updated_by = workspace.current_actor());

CREATE POLICY workspace_items_admin_access ON workspace.workspace_items
    USING (workspace.current_actor_is_admin());

SELECT public.ts_partition_maintain(now());
