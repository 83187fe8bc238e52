-- 0000_common.sql: shared machinery, byte-for-byte the same file in every module database.
--
-- What it holds:
--   * the PostgreSQL >= 15 check (erratum 6: UNIQUE NULLS NOT DISTINCT needs 15);
--   * ts_uuid_v7(), ts_actor(), ts_touch_updated_at(), ts_jsonb_diff(): helpers of the
--     schema files (errata 3 and 4: the acting user comes from the per-transaction setting
--     app.actor, and audit rows carry the old and new value of every changed field);
--   * native range partitioning in place of TimescaleDB hypertables (DESIGN.md §2; erratum 1:
--     the tables' keys include the partition column; erratum 14: nothing here drops data):
--     the registry public.ts_partitioned_tables, ts_partition_register(),
--     ts_partition_ensure(), ts_partition_maintain(), ts_partitions(),
--     ts_default_partition_rows().
-- The runner applies it in one transaction and calls public.ts_partition_maintain(now())
-- after every `db migrate`; the program's maintenance loop calls it too. See docs/schema.md.

DO $$
BEGIN
    IF current_setting('server_version_num')::int < 150000 THEN
        RAISE EXCEPTION 'PostgreSQL 15 or later is required (this server is %)',
            current_setting('server_version');
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------------------------

-- A time-ordered UUID (version 7: 48-bit Unix milliseconds, then random bits) for rows the
-- database creates itself (audit rows). The program generates its own UUIDv7 for its rows.
CREATE OR REPLACE FUNCTION public.ts_uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint)
                                      FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- The acting user of the current transaction, from `SET LOCAL app.actor = '...'` or
-- `SELECT set_config('app.actor', '...', true)`. Raises SQLSTATE TS001 when it is unset or
-- empty: an audited change without a person behind it is refused (erratum 4).
CREATE OR REPLACE FUNCTION public.ts_actor() RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a text := btrim(coalesce(current_setting('app.actor', true), ''));
BEGIN
    IF a = '' THEN
        RAISE EXCEPTION 'app.actor is not set'
            USING ERRCODE = 'TS001',
                  HINT = 'run SET LOCAL app.actor = ''<user>'' in the same transaction';
    END IF;
    RETURN a;
END
$$;

-- BEFORE UPDATE trigger: keeps updated_at current.
CREATE OR REPLACE FUNCTION public.ts_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- A JSON value as written in audit rows: numbers become strings so that decimals keep their
-- scale ("30.00000000", as in the REST API); everything else stays as it is.
CREATE OR REPLACE FUNCTION public.ts_jsonb_audit_value(v jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE jsonb_typeof(v)
               WHEN 'number' THEN to_jsonb(v #>> '{}')
               ELSE v
           END
$$;

-- {"field": {"old": ..., "new": ...}, ...} for every top-level key whose value differs between
-- two row images (to_jsonb(OLD), to_jsonb(NEW)); keys in `ignore` are skipped. With old NULL
-- (an INSERT) it lists the non-null fields of the new row. Returns '{}' when nothing differs.
CREATE OR REPLACE FUNCTION public.ts_jsonb_diff(old_row jsonb, new_row jsonb,
                                                ignore text[] DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(k, jsonb_build_object(
                        'old', public.ts_jsonb_audit_value(old_row -> k),
                        'new', public.ts_jsonb_audit_value(new_row -> k))), '{}'::jsonb)
    FROM (SELECT jsonb_object_keys(coalesce(old_row, '{}') || coalesce(new_row, '{}')) AS k) keys
    WHERE NOT (k = ANY (coalesce(ignore, '{}')))
      AND coalesce(old_row -> k, 'null') IS DISTINCT FROM coalesce(new_row -> k, 'null')
$$;

-- ---------------------------------------------------------------------------------------------
-- Partitioning (DESIGN.md §2): native PARTITION BY RANGE on a timestamptz column.
--
-- Each registered parent has a DEFAULT partition ("<table>_default") so that no write is ever
-- refused for want of a partition; ts_partition_maintain() creates partitions ahead of time and
-- moves ("rescues") rows that landed in the default partition into their proper partition.
-- Partitions are aligned in UTC: monthly ones start on the 1st (name <table>_pYYYYMM), daily
-- ones at 00:00 UTC (<table>_pYYYYMMDD), hourly ones on the hour (<table>_pYYYYMMDDHH).
-- Retention is not done here: the program exports a partition, verifies the file, and only
-- then detaches and drops it (erratum 14).
-- ---------------------------------------------------------------------------------------------

-- True for the partition sizes we can align: whole months dividing a year (1, 2, 3, 4, 6, 12
-- months), or a fixed length of at least one hour that divides a day or is a whole number of
-- days (1 hour, 2 hours, ..., 1 day, 7 days).
CREATE OR REPLACE FUNCTION public.ts_partition_interval_valid(step interval) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN step IS NULL THEN false
        WHEN extract(year FROM step) * 12 + extract(month FROM step) <> 0 THEN
             extract(day FROM step) = 0 AND extract(hour FROM step) = 0
             AND extract(minute FROM step) = 0 AND extract(second FROM step) = 0
             AND (extract(year FROM step) * 12 + extract(month FROM step)) IN (1, 2, 3, 4, 6, 12)
        ELSE extract(epoch FROM step) >= 3600
             AND (86400 % extract(epoch FROM step) = 0 OR extract(epoch FROM step) % 86400 = 0)
    END
$$;

-- The registry: one row per partitioned table that the machinery maintains.
--   part_interval  size of one partition (see ts_partition_interval_valid)
--   premake        how many future partitions maintain keeps ready
--   retention      how long data stays online; NULL = forever. Used by the program, which
--                  exports and verifies before it drops (erratum 14); never used here.
CREATE TABLE IF NOT EXISTS public.ts_partitioned_tables (
    parent        regclass PRIMARY KEY,
    part_interval interval NOT NULL CHECK (public.ts_partition_interval_valid(part_interval)),
    premake       int      NOT NULL DEFAULT 3 CHECK (premake BETWEEN 0 AND 1000),
    retention     interval NULL CHECK (retention IS NULL OR retention > interval '0')
);

COMMENT ON TABLE public.ts_partitioned_tables IS
    'time-partitioned tables maintained by ts_partition_maintain(); see docs/schema.md';

-- The aligned range [lower, upper) of size `step` that contains `at`, computed in UTC.
CREATE OR REPLACE FUNCTION public.ts_partition_range(at timestamptz, step interval,
                                                     OUT lower timestamptz, OUT upper timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    months int := extract(year FROM step) * 12 + extract(month FROM step);
    idx    int;
    secs   numeric;
    origin numeric := 345600;  -- 1970-01-05 00:00 UTC, a Monday: weeks start on Monday
    k      numeric;
BEGIN
    IF NOT public.ts_partition_interval_valid(step) THEN
        RAISE EXCEPTION 'unsupported partition interval %', step USING ERRCODE = '22023';
    END IF;
    IF at IS NULL OR NOT isfinite(at) THEN
        RAISE EXCEPTION 'cannot partition at time %', at USING ERRCODE = '22023';
    END IF;
    IF months <> 0 THEN
        idx := extract(year FROM at AT TIME ZONE 'UTC')::int * 12
               + extract(month FROM at AT TIME ZONE 'UTC')::int - 1;
        idx := idx - idx % months;
        lower := make_timestamptz(idx / 12, idx % 12 + 1, 1, 0, 0, 0, 'UTC');
        idx := idx + months;
        upper := make_timestamptz(idx / 12, idx % 12 + 1, 1, 0, 0, 0, 'UTC');
    ELSE
        secs := extract(epoch FROM step);
        k := floor((extract(epoch FROM at) - origin) / secs);
        lower := 'epoch'::timestamptz + (origin + k * secs) * interval '1 second';
        upper := 'epoch'::timestamptz + (origin + (k + 1) * secs) * interval '1 second';
    END IF;
END
$$;

-- Every partition of `parent` with its bounds (NULL bounds and is_default for the default one).
CREATE OR REPLACE FUNCTION public.ts_partitions(parent regclass)
RETURNS TABLE (partition regclass, lower timestamptz, upper timestamptz, is_default boolean)
LANGUAGE sql STABLE AS $$
    SELECT c.oid::regclass,
           (b.m)[1]::timestamptz,
           (b.m)[2]::timestamptz,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL (
        SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                            '^FOR VALUES FROM \(''([^'']*)''\) TO \(''([^'']*)''\)$') AS m) b
    WHERE i.inhparent = $1
    ORDER BY 4, 2
$$;

-- Registers (or re-configures) a time-partitioned table and creates its DEFAULT partition.
-- The table must be PARTITION BY RANGE on one timestamptz column. Changing the interval of a
-- table that already has partitions is allowed: new partitions are clipped so that they never
-- overlap existing ones.
CREATE OR REPLACE FUNCTION public.ts_partition_register(parent regclass, part_interval interval,
                                                        premake int DEFAULT 3,
                                                        retention interval DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    p_parent ALIAS FOR $1;
    pt   record;
    nsp  name;
    rel  name;
BEGIN
    SELECT pp.partstrat, pp.partnatts, pp.partattrs[0] AS attnum, pp.partdefid
    INTO pt
    FROM pg_catalog.pg_partitioned_table pp
    WHERE pp.partrelid = p_parent;
    IF NOT FOUND OR pt.partstrat <> 'r' OR pt.partnatts <> 1 OR pt.attnum = 0 THEN
        RAISE EXCEPTION '% is not partitioned by range on one column', p_parent
            USING ERRCODE = '22023';
    END IF;
    IF (SELECT a.atttypid FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = p_parent AND a.attnum = pt.attnum) <> 'timestamptz'::regtype THEN
        RAISE EXCEPTION '% is not partitioned on a timestamptz column', p_parent
            USING ERRCODE = '22023';
    END IF;
    SELECT n.nspname, c.relname INTO nsp, rel
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = p_parent;
    IF pt.partdefid = 0 THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT',
                       nsp, left(rel, 55) || '_default', p_parent);
    END IF;
    INSERT INTO public.ts_partitioned_tables AS t (parent, part_interval, premake, retention)
    VALUES (p_parent, $2, $3, $4)
    ON CONFLICT ON CONSTRAINT ts_partitioned_tables_pkey DO UPDATE
        SET part_interval = excluded.part_interval,
            premake = excluded.premake,
            retention = excluded.retention;
END
$$;

-- The worker of ts_partition_ensure(): also says which range the partition has and how many
-- rows it moved out of the default partition.
CREATE OR REPLACE FUNCTION public.ts_partition_ensure_ex(parent regclass, at timestamptz,
                                                         OUT partition regclass,
                                                         OUT lower timestamptz,
                                                         OUT upper timestamptz,
                                                         OUT rescued bigint)
LANGUAGE plpgsql AS $$
DECLARE
    p_parent ALIAS FOR $1;
    p_at     ALIAS FOR $2;
    step     interval;
    lo       timestamptz;
    hi       timestamptz;
    b        timestamptz;
    part     regclass;
    moved    bigint := 0;
    nsp      name;
    rel      name;
    col      name;
    defpart  regclass;
    cols     text;
    fmt      text;
    suffix   text;
    pname    text;
    n        int := 0;
BEGIN
    SELECT t.part_interval INTO step FROM public.ts_partitioned_tables t WHERE t.parent = p_parent;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a registered partitioned table', p_parent
            USING ERRCODE = '22023',
                  HINT = 'register it with public.ts_partition_register()';
    END IF;
    IF p_at IS NULL OR NOT isfinite(p_at) THEN
        RAISE EXCEPTION 'cannot partition % at time %', p_parent, p_at USING ERRCODE = '22023';
    END IF;

    -- Serialise maintainers of the same table (migration runner and the program's loop).
    PERFORM pg_advisory_xact_lock(1414746192, (p_parent::oid::bigint - 2147483648)::int);

    SELECT x.partition, x.lower, x.upper INTO part, lo, hi
    FROM public.ts_partitions(p_parent) x
    WHERE NOT x.is_default AND x.lower <= p_at AND p_at < x.upper;
    IF FOUND THEN
        partition := part;
        lower := lo;
        upper := hi;
        rescued := 0;
        RETURN;
    END IF;

    SELECT r.lower, r.upper INTO lo, hi FROM public.ts_partition_range(p_at, step) r;
    -- Never overlap an existing partition (possible after the interval was changed).
    SELECT max(x.upper) INTO b FROM public.ts_partitions(p_parent) x
    WHERE NOT x.is_default AND x.upper <= p_at AND x.upper > lo;
    lo := coalesce(b, lo);
    SELECT min(x.lower) INTO b FROM public.ts_partitions(p_parent) x
    WHERE NOT x.is_default AND x.lower > p_at AND x.lower < hi;
    hi := coalesce(b, hi);

    SELECT ns.nspname, c.relname INTO nsp, rel
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
    WHERE c.oid = p_parent;
    SELECT a.attname, nullif(pp.partdefid, 0)::regclass INTO col, defpart
    FROM pg_catalog.pg_partitioned_table pp
    JOIN pg_catalog.pg_attribute a ON a.attrelid = pp.partrelid AND a.attnum = pp.partattrs[0]
    WHERE pp.partrelid = p_parent;

    -- Name after the start of the range, as precisely as the interval needs (a range clipped
    -- by a neighbour may need more precision than its interval).
    fmt := CASE WHEN extract(year FROM step) * 12 + extract(month FROM step) <> 0 THEN 'YYYYMM'
                WHEN extract(epoch FROM step) % 86400 = 0 THEN 'YYYYMMDD'
                ELSE 'YYYYMMDDHH24' END;
    IF fmt = 'YYYYMM' AND lo <> date_trunc('month', lo, 'UTC') THEN
        fmt := 'YYYYMMDD';
    END IF;
    IF fmt = 'YYYYMMDD' AND lo <> date_trunc('day', lo, 'UTC') THEN
        fmt := 'YYYYMMDDHH24';
    END IF;
    suffix := '_p' || to_char(lo AT TIME ZONE 'UTC', fmt);
    pname := left(rel, 63 - length(suffix)) || suffix;
    WHILE to_regclass(format('%I.%I', nsp, pname)) IS NOT NULL LOOP
        n := n + 1;
        pname := left(rel, 63 - length(suffix) - length(n::text) - 1) || suffix || '_' || n;
    END LOOP;

    -- Create the table detached, move the rows of its range out of the default partition,
    -- then attach it: attaching creates the indexes, foreign keys and row triggers of the
    -- parent, and takes only a SHARE UPDATE EXCLUSIVE lock on the parent.
    EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                   'INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION)',
                   nsp, pname, p_parent);
    IF defpart IS NOT NULL THEN
        -- ATTACH needs this lock anyway; taking it first means no row of the range can reach
        -- the default partition between the move and the attach.
        EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', defpart);
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = p_parent AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attgenerated = '';
        EXECUTE format('WITH moved AS (DELETE FROM ONLY %s WHERE %I >= $1 AND %I < $2 RETURNING %s) '
                       'INSERT INTO %I.%I (%s) SELECT %s FROM moved',
                       defpart, col, col, cols, nsp, pname, cols, cols)
            USING lo, hi;
        GET DIAGNOSTICS moved = ROW_COUNT;
    END IF;
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                   p_parent, nsp, pname,
                   to_char(lo AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00',
                   to_char(hi AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00');
    part := format('%I.%I', nsp, pname)::regclass;
    IF moved > 0 THEN
        RAISE NOTICE 'moved % rows of % from the default partition into %', moved, p_parent, part;
    END IF;
    partition := part;
    lower := lo;
    upper := hi;
    rescued := moved;
END
$$;

-- Creates, if missing, the partition of `parent` whose range contains `at` and returns it.
-- Rows of that range found in the DEFAULT partition are moved into it in the same transaction.
CREATE OR REPLACE FUNCTION public.ts_partition_ensure(parent regclass, at timestamptz)
RETURNS regclass
LANGUAGE sql AS $$
    SELECT e.partition FROM public.ts_partition_ensure_ex($1, $2) e
$$;

-- For every registered table: ensures the partitions from `at - 1 interval` to
-- `at + premake intervals`, then rescues any other rows of the default partition by creating
-- the partitions they belong to (up to 1000 per table per call). Returns the number of rows
-- moved out of default partitions (0 normally). A row whose partition cannot be made (a time
-- far out of range) is left where it is with a WARNING: maintenance never fails because of it.
CREATE OR REPLACE FUNCTION public.ts_partition_maintain(at timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    p_at    ALIAS FOR $1;
    reg     record;
    e       record;
    t       timestamptz;
    horizon timestamptz;
    total   bigint := 0;
    defpart regclass;
    col     name;
    guard   int;
BEGIN
    IF p_at IS NULL OR NOT isfinite(p_at) THEN
        RAISE EXCEPTION 'cannot maintain partitions at time %', p_at USING ERRCODE = '22023';
    END IF;
    FOR reg IN
        SELECT r.parent, r.part_interval, r.premake
        FROM public.ts_partitioned_tables r
        JOIN pg_catalog.pg_class c ON c.oid = r.parent   -- skip tables dropped since
        ORDER BY r.parent::oid
    LOOP
        t := p_at - reg.part_interval;
        horizon := p_at + reg.part_interval * reg.premake;
        guard := 0;
        WHILE t <= horizon AND guard < 2000 LOOP
            e := public.ts_partition_ensure_ex(reg.parent, t);
            total := total + e.rescued;
            t := e.upper;
            guard := guard + 1;
        END LOOP;

        SELECT nullif(pp.partdefid, 0)::regclass, a.attname INTO defpart, col
        FROM pg_catalog.pg_partitioned_table pp
        JOIN pg_catalog.pg_attribute a ON a.attrelid = pp.partrelid AND a.attnum = pp.partattrs[0]
        WHERE pp.partrelid = reg.parent;
        CONTINUE WHEN defpart IS NULL;
        guard := 0;
        LOOP
            EXECUTE format('SELECT %I FROM ONLY %s WHERE %I > ''-infinity'' AND %I < ''infinity'' '
                           'ORDER BY 1 LIMIT 1', col, defpart, col, col)
                INTO t;
            EXIT WHEN t IS NULL;
            IF guard >= 1000 THEN
                RAISE WARNING '% still has rows in its default partition after 1000 new partitions',
                    reg.parent;
                EXIT;
            END IF;
            BEGIN
                e := public.ts_partition_ensure_ex(reg.parent, t);
            EXCEPTION WHEN OTHERS THEN
                RAISE WARNING 'cannot rescue rows of % at %: %', reg.parent, t, SQLERRM;
                EXIT;
            END;
            total := total + e.rescued;
            guard := guard + 1;
            EXIT WHEN e.rescued = 0;   -- cannot happen; never loop forever
        END LOOP;
    END LOOP;
    RETURN total;
END
$$;

-- Rows sitting in the DEFAULT partition of each registered table, for health checks
-- (normally 0 everywhere; ts_partition_maintain() moves them out).
CREATE OR REPLACE FUNCTION public.ts_default_partition_rows()
RETURNS TABLE (parent regclass, rows bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT t.parent AS p, nullif(pp.partdefid, 0)::regclass AS d
        FROM public.ts_partitioned_tables t
        JOIN pg_catalog.pg_partitioned_table pp ON pp.partrelid = t.parent
        ORDER BY t.parent::text
    LOOP
        parent := r.p;
        rows := 0;
        IF r.d IS NOT NULL THEN
            EXECUTE format('SELECT count(*) FROM ONLY %s', r.d) INTO rows;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
