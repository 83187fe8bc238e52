-- 0100_app_role.sql - the role the program reads and writes as (docs/security.md "The
-- database's own checks"; DESIGN.md §5b): ts_app, a login role that is not a superuser,
-- may not bypass row-level security and owns nothing, so that the policies (workspace items,
-- erratum 9) are in force for it and a statement of the program cannot alter a table.
-- Migrations, partition maintenance and retention stay with the owner: the migrating role.
--
-- Applied to every module database (common/), after its own files: the role is the
-- cluster's (made once, when the migrating role may make roles), the grants are this
-- database's. A cluster where the migrating role may not make roles gets a notice and no
-- grants: the program then connects as the configured role (docs/operations.md).

DO $$
DECLARE
    s record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ts_app') THEN
        IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            RAISE NOTICE 'role ts_app not made: % may not make roles', current_user;
            RETURN;
        END IF;
        CREATE ROLE ts_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO ts_app', current_database());
    -- the module's schemas (its migrations made them) and public (the shared machinery)
    FOR s IN SELECT nspname FROM pg_namespace
             WHERE (nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                    OR nspname = 'public')
               AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO ts_app', s.nspname);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO ts_app',
                       s.nspname);
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO ts_app',
                       s.nspname);
        -- what the owner makes later (partitions ahead, new migrations) is granted the same
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, '
                       'DELETE ON TABLES TO ts_app', s.nspname);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON '
                       'SEQUENCES TO ts_app', s.nspname);
    END LOOP;
    -- the record of migrations is the owner's alone to write
    REVOKE INSERT, UPDATE, DELETE ON public.schema_migrations FROM ts_app;
END
$$;

-- Partition maintenance makes tables ahead of time, which only the tables' owner may do:
-- it runs as the owner (SECURITY DEFINER), its search_path pinned as a definer function's
-- must be, whoever calls it (the program's maintenance loop, as ts_app).
ALTER FUNCTION public.ts_partition_maintain(timestamptz) SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION public.ts_partition_ensure(regclass, timestamptz) SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp;
