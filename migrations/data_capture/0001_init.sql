-- 0001_init.sql: the data capture schema (spec §7), database data_capture, schema
-- data_capture: instruments, market_ticks, order_book_snapshots, profitdll_callbacks,
-- market_bars_1m (rollup), rollup_watermarks, export_log.
--
-- Errata fixed here (DESIGN.md §6):
--   1  the time-series tables are native range partitions with keys that include the
--      partition column (no TimescaleDB; daily partitions instead of 5/15-minute chunks).
--   7  1-minute bars are a rollup table kept from a watermark, not a continuous aggregate.
--   10 market_ticks has the natural key (symbol, tick_time, trade_id): replaying a feed with
--      INSERT ... ON CONFLICT DO NOTHING stores each trade once.
--   13 all times are TIMESTAMPTZ, which holds microseconds (not nanoseconds).
--   14 retention is export, verify, then drop: export_log records the verified export and
--      data_capture.drop_exported_partition() refuses to drop a partition without one.
-- Symbol is in every key and hot index, and there is no cross-symbol foreign key, so the
-- capture tables can be distributed on symbol later (DESIGN.md §7). See docs/schema.md.

CREATE SCHEMA IF NOT EXISTS data_capture;

-- ---------------------------------------------------------------------------------------------
-- instruments: the instrument master (plain).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE data_capture.instruments (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    symbol        varchar(50) NOT NULL UNIQUE CHECK (symbol ~ '^\S+$'),
    exchange      varchar(20) NOT NULL,
    asset_class   varchar(20) NOT NULL CHECK (asset_class IN ('stock', 'future', 'fx', 'crypto')),
    name          varchar(255) NOT NULL,
    isin          varchar(12) NULL CHECK (isin ~ '^[A-Z]{2}[A-Z0-9]{9}[0-9]$'),
    currency      varchar(3) NOT NULL DEFAULT 'BRL' CHECK (currency ~ '^[A-Z]{3}$'),
    lot_size      decimal(18,8) NOT NULL DEFAULT 1 CHECK (lot_size > 0),
    tick_size     decimal(18,8) NOT NULL CHECK (tick_size > 0),
    trading_hours jsonb NULL CHECK (jsonb_typeof(trading_hours) = 'object'),  -- {"open":"10:00","close":"17:55","tz":"America/Sao_Paulo"}
    status        varchar(20) NOT NULL DEFAULT 'ACTIVE' CHECK (
                  status IN ('ACTIVE', 'INACTIVE', 'DELISTED', 'HALTED')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    metadata      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX idx_instruments_exchange ON data_capture.instruments (exchange);
CREATE INDEX idx_instruments_asset_class ON data_capture.instruments (asset_class);
CREATE INDEX idx_instruments_status ON data_capture.instruments (status);

CREATE TRIGGER trg_instruments_update_timestamp
    BEFORE UPDATE ON data_capture.instruments
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- market_ticks: the trades of the tape, partitioned daily on tick_time, kept 30 days online.
-- Natural key (erratum 10): trade_id is the exchange's trade number ("número do negócio"),
-- an integer B3 assigns per instrument and session; with symbol and tick_time it identifies
-- a trade, so ingestion is INSERT ... ON CONFLICT DO NOTHING (or COPY into a staging table
-- and the same insert) and a replay stores nothing twice. A source without trade numbers
-- must derive a stable one (e.g. the line number of the file it replays).
-- The primary key (symbol, tick_time, trade_id) also serves "symbol over a time range" in
-- both directions, so the spec's extra (symbol, tick_time DESC) index is not needed.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE data_capture.market_ticks (
    symbol        varchar(50) NOT NULL,
    tick_time     timestamptz NOT NULL,   -- exchange time, microseconds
    trade_id      bigint NOT NULL CHECK (trade_id >= 0),
    exchange      varchar(20) NOT NULL,
    price         decimal(18,8) NOT NULL CHECK (price > 0),
    volume        decimal(18,8) NOT NULL CHECK (volume > 0),
    aggressor     varchar(10) NOT NULL CHECK (aggressor IN ('BUY', 'SELL', 'NEUTRAL')),
    received_time timestamptz NOT NULL DEFAULT now(),
    source        varchar(50) NOT NULL DEFAULT 'ProfitDLL',
    PRIMARY KEY (symbol, tick_time, trade_id)
) PARTITION BY RANGE (tick_time);

SELECT public.ts_partition_register('data_capture.market_ticks', interval '1 day', 7, interval '30 days');

-- ---------------------------------------------------------------------------------------------
-- order_book_snapshots: L2 book snapshots, partitioned daily on snapshot_time, 7 days online.
-- seq is the book's update sequence number when the snapshot was taken (0 when the source has
-- none); the key (symbol, snapshot_time, seq) makes a replayed snapshot idempotent.
-- bids/asks: [{"price":"30.50","volume":"1000"}, ...], best first. best_bid, best_ask and
-- spread are NULL when a side of the book is empty.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE data_capture.order_book_snapshots (
    symbol           varchar(50) NOT NULL,
    snapshot_time    timestamptz NOT NULL,
    seq              bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    exchange         varchar(20) NOT NULL,
    bids             jsonb NOT NULL CHECK (jsonb_typeof(bids) = 'array'),
    asks             jsonb NOT NULL CHECK (jsonb_typeof(asks) = 'array'),
    best_bid         decimal(18,8) NULL CHECK (best_bid > 0),
    best_ask         decimal(18,8) NULL CHECK (best_ask > 0),
    spread           decimal(18,8) NULL,
    total_bid_volume decimal(18,8) NOT NULL DEFAULT 0 CHECK (total_bid_volume >= 0),
    total_ask_volume decimal(18,8) NOT NULL DEFAULT 0 CHECK (total_ask_volume >= 0),
    received_time    timestamptz NOT NULL DEFAULT now(),
    source           varchar(50) NOT NULL DEFAULT 'ProfitDLL',
    PRIMARY KEY (symbol, snapshot_time, seq),
    CONSTRAINT order_book_snapshots_spread_check CHECK (
        (spread IS NULL) = (best_bid IS NULL OR best_ask IS NULL))
) PARTITION BY RANGE (snapshot_time);

SELECT public.ts_partition_register('data_capture.order_book_snapshots', interval '1 day', 7, interval '7 days');

-- ---------------------------------------------------------------------------------------------
-- profitdll_callbacks: every feed callback, with its processing status, partitioned daily on
-- callback_time, 3 days online (debugging). received_at is when it reached us, processed_at
-- when processing ended (NULL while PENDING).
-- ---------------------------------------------------------------------------------------------
CREATE SEQUENCE data_capture.profitdll_callbacks_id_seq AS bigint;

CREATE TABLE data_capture.profitdll_callbacks (
    id            bigint NOT NULL DEFAULT nextval('data_capture.profitdll_callbacks_id_seq'),
    callback_type varchar(50) NOT NULL CHECK (
                  callback_type IN ('STATE', 'TRADE', 'OFFER_BOOK', 'PRICE_DEPTH', 'ORDER')),
    payload       jsonb NOT NULL,
    callback_time timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    processed_at  timestamptz NULL,
    status        varchar(20) NOT NULL DEFAULT 'PENDING' CHECK (
                  status IN ('PENDING', 'PROCESSED', 'FAILED', 'SKIPPED')),
    error_message text NULL,
    PRIMARY KEY (callback_time, id),
    CONSTRAINT profitdll_callbacks_failed_check CHECK (status <> 'FAILED' OR error_message IS NOT NULL)
) PARTITION BY RANGE (callback_time);

ALTER SEQUENCE data_capture.profitdll_callbacks_id_seq OWNED BY data_capture.profitdll_callbacks.id;

CREATE INDEX idx_callbacks_type ON data_capture.profitdll_callbacks (callback_type, callback_time DESC);
CREATE INDEX idx_callbacks_status ON data_capture.profitdll_callbacks (status, callback_time DESC)
    WHERE status IN ('PENDING', 'FAILED');

SELECT public.ts_partition_register('data_capture.profitdll_callbacks', interval '1 day', 7, interval '3 days');

-- ---------------------------------------------------------------------------------------------
-- Rollups (erratum 7).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE data_capture.rollup_watermarks (
    rollup       text PRIMARY KEY,
    watermark    timestamptz NOT NULL DEFAULT '-infinity',  -- source rows before it are rolled up
    refreshed_at timestamptz NULL
);

-- 1-minute OHLCV bars of market_ticks (UTC minutes). Plain table: one row per symbol-minute
-- (~500 rows per symbol per B3 session).
CREATE TABLE data_capture.market_bars_1m (
    symbol      varchar(50) NOT NULL,
    bucket      timestamptz NOT NULL,   -- start of the minute
    open        decimal(18,8) NOT NULL,
    high        decimal(18,8) NOT NULL,
    low         decimal(18,8) NOT NULL,
    close       decimal(18,8) NOT NULL,
    volume      decimal(18,8) NOT NULL,
    trade_count bigint NOT NULL CHECK (trade_count > 0),
    PRIMARY KEY (symbol, bucket),
    CONSTRAINT market_bars_1m_ohlc_check CHECK (
        low <= open AND low <= close AND high >= open AND high >= close)
);

INSERT INTO data_capture.rollup_watermarks (rollup) VALUES ('market_bars_1m');

-- Recomputes the bars of the minutes that overlap [from_ts, to_ts) (ticks at or after to_ts
-- are left for later). Does not move the watermark. Returns the bars written.
CREATE OR REPLACE FUNCTION data_capture.rebuild_market_bars_1m(from_ts timestamptz, to_ts timestamptz)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz := date_trunc('minute', from_ts, 'UTC');
    n  bigint;
BEGIN
    IF from_ts IS NULL OR to_ts IS NULL OR to_ts <= from_ts THEN
        RETURN 0;
    END IF;
    DELETE FROM data_capture.market_bars_1m b WHERE b.bucket >= lo AND b.bucket < to_ts;
    INSERT INTO data_capture.market_bars_1m (symbol, bucket, open, high, low, close, volume, trade_count)
    SELECT t.symbol, date_trunc('minute', t.tick_time, 'UTC'),
           (array_agg(t.price ORDER BY t.tick_time, t.trade_id))[1],
           max(t.price), min(t.price),
           (array_agg(t.price ORDER BY t.tick_time DESC, t.trade_id DESC))[1],
           sum(t.volume), count(*)
    FROM data_capture.market_ticks t
    WHERE t.tick_time >= lo AND t.tick_time < to_ts
    GROUP BY 1, 2;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Incremental refresh from the watermark (less `lookback`, for late ticks) up to `upto`.
CREATE OR REPLACE FUNCTION data_capture.rollup_market_bars_1m(
    upto timestamptz DEFAULT now(), lookback interval DEFAULT interval '2 minutes')
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    w timestamptz;
    n bigint;
BEGIN
    SELECT m.watermark INTO STRICT w FROM data_capture.rollup_watermarks m
    WHERE m.rollup = 'market_bars_1m' FOR UPDATE;
    n := data_capture.rebuild_market_bars_1m(w - lookback, upto);
    UPDATE data_capture.rollup_watermarks
    SET watermark = greatest(watermark, upto), refreshed_at = now()
    WHERE rollup = 'market_bars_1m';
    RETURN n;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- export_log (erratum 14): one row per Parquet export. A partition may be dropped only after
-- an export of it was verified (file read back: row count and checksum match).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE data_capture.export_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name     text NOT NULL,          -- parent, e.g. data_capture.market_ticks
    partition_name text NULL,              -- schema-qualified, as format('%I.%I'): data_capture.market_ticks_p20261126; NULL for an ad-hoc range
    range_from     timestamptz NOT NULL,
    range_to       timestamptz NOT NULL,
    file_path      text NOT NULL CHECK (btrim(file_path) <> ''),
    row_count      bigint NOT NULL CHECK (row_count >= 0),
    file_bytes     bigint NULL CHECK (file_bytes >= 0),
    checksum       text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),  -- SHA-256 of the file, hex
    exported_at    timestamptz NOT NULL DEFAULT now(),
    verified_at    timestamptz NULL,
    dropped_at     timestamptz NULL,
    CONSTRAINT export_log_range_check CHECK (range_from < range_to),
    CONSTRAINT export_log_drop_after_verify_check CHECK (dropped_at IS NULL OR verified_at IS NOT NULL)
);

CREATE INDEX idx_export_log_partition ON data_capture.export_log (partition_name);
CREATE INDEX idx_export_log_table ON data_capture.export_log (table_name, range_from);

-- Retention step (erratum 14): detaches and drops `part` (a partition of a registered table)
-- only if export_log has a verified export of exactly that partition whose row_count equals
-- the rows it holds now; otherwise raises SQLSTATE 55000 (object_not_in_prerequisite_state)
-- and drops nothing. Marks the export row dropped. Returns the number of rows dropped.
CREATE OR REPLACE FUNCTION data_capture.drop_exported_partition(part regclass)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    p_part ALIAS FOR $1;
    par    regclass;
    isdef  boolean;
    pname  text;
    n      bigint;
    exp_id bigint;
BEGIN
    SELECT i.inhparent::regclass, format('%I.%I', n.nspname, c.relname) INTO par, pname
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE i.inhrelid = p_part;
    IF par IS NULL OR NOT EXISTS (SELECT 1 FROM public.ts_partitioned_tables t WHERE t.parent = par) THEN
        RAISE EXCEPTION '% is not a partition of a registered table', p_part USING ERRCODE = '22023';
    END IF;
    SELECT x.is_default INTO isdef FROM public.ts_partitions(par) x WHERE x.partition = p_part;
    IF isdef THEN
        RAISE EXCEPTION 'the default partition % cannot be dropped', p_part USING ERRCODE = '55000';
    END IF;
    -- No writes to the partition between the count and the drop.
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', p_part);
    EXECUTE format('SELECT count(*) FROM %s', p_part) INTO n;
    SELECT e.id INTO exp_id
    FROM data_capture.export_log e
    WHERE e.partition_name = pname AND e.verified_at IS NOT NULL AND e.dropped_at IS NULL
      AND e.row_count = n
    ORDER BY e.verified_at DESC
    LIMIT 1;
    IF exp_id IS NULL THEN
        RAISE EXCEPTION 'partition % has no verified export of its % rows: not dropped', pname, n
            USING ERRCODE = '55000',
                  HINT = 'export it to Parquet and verify the file first';
    END IF;
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', par, p_part);
    EXECUTE format('DROP TABLE %s', p_part);
    UPDATE data_capture.export_log SET dropped_at = now() WHERE id = exp_id;
    RETURN n;
END
$$;

SELECT public.ts_partition_maintain(now());
