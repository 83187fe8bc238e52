-- 0001_init.sql: the TP Capital signals schema (spec §4.1, §5.2, §8.2, §9.2), database
-- tp_capital, schema "tp-capital" (quoted: the spec's name has a hyphen): telegram_bots,
-- telegram_channels, tp_capital_signals, signal_summary_daily (rollup), rollup_watermarks.
--
-- Errata fixed here (DESIGN.md §6):
--   1  tp_capital_signals is a native range partition (monthly) with keys that include
--      created_at.
--   7  the daily signal summary is a rollup table kept from a watermark, not a materialized
--      view with add_continuous_aggregate_policy.
--   11 telegram_channels.label is UNIQUE, so the signals' FK to it is valid.
--   12 bot tokens are stored only encrypted (token_encrypted bytea); no key is in any SQL:
--      the program encrypts with the key from TS_SECRET_KEY_FILE (bound as a parameter if it
--      uses pgcrypto's pgp_sym_encrypt($1, $2)). A CHECK refuses a clear token in the bytea.
--   13 all times are TIMESTAMPTZ (microseconds).
-- See docs/schema.md.

CREATE EXTENSION IF NOT EXISTS pgcrypto;   -- pgp_sym_encrypt/pgp_sym_decrypt with a bound key

CREATE SCHEMA IF NOT EXISTS "tp-capital";

-- ---------------------------------------------------------------------------------------------
-- telegram_bots (erratum 12). token_encrypted holds the bot token encrypted by the program;
-- key_id names the key that encrypted it (key rotation: re-encrypt rows of an old key_id).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE "tp-capital".telegram_bots (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username        varchar(100) NOT NULL UNIQUE CHECK (btrim(username) <> ''),
    token_encrypted bytea NOT NULL CHECK (octet_length(token_encrypted) >= 16),
    key_id          varchar(64) NOT NULL CHECK (btrim(key_id) <> ''),
    status          varchar(20) NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    -- A Telegram token looks like 123456789:AAH...; finding one in the clear means the program
    -- forgot to encrypt.
    CONSTRAINT telegram_bots_token_not_clear_check CHECK (
        encode(token_encrypted, 'escape') !~ '[0-9]{5,}:[A-Za-z0-9_-]{30,}')
);

CREATE TRIGGER trg_telegram_bots_update_timestamp
    BEFORE UPDATE ON "tp-capital".telegram_bots
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- telegram_channels (erratum 11: label UNIQUE, the target of the signals' FK).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE "tp-capital".telegram_channels (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    label       varchar(100) NOT NULL UNIQUE CHECK (btrim(label) <> ''),
    chat_id     bigint NULL UNIQUE,        -- Telegram chat id (negative for channels)
    title       varchar(255) NULL,
    bot_id      uuid NULL REFERENCES "tp-capital".telegram_bots (id) ON DELETE SET NULL,
    status      varchar(20) NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    metadata    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TRIGGER trg_telegram_channels_update_timestamp
    BEFORE UPDATE ON "tp-capital".telegram_channels
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- tp_capital_signals: trading signals, partitioned monthly on created_at, kept online.
-- source: 'telegram' signals come from a channel (channel NOT NULL, FK to
-- telegram_channels.label); 'ml' and 'manual' signals may have no channel.
-- For Telegram, set created_at to the message's date and telegram_message_id: a message read
-- twice then hits the unique key (channel, telegram_message_id, created_at) and is stored once.
-- Soft delete: deleted_at/deleted_by; the dashboard reads WHERE deleted_at IS NULL.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE "tp-capital".tp_capital_signals (
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    source              varchar(20) NOT NULL DEFAULT 'telegram' CHECK (source IN ('telegram', 'ml', 'manual')),
    channel             varchar(100) NULL
                        REFERENCES "tp-capital".telegram_channels (label)
                        ON UPDATE CASCADE ON DELETE RESTRICT,
    telegram_message_id bigint NULL,
    signal_type         varchar(20) NOT NULL CHECK (signal_type IN ('BUY', 'SELL', 'CLOSE')),
    asset               varchar(50) NOT NULL CHECK (btrim(asset) <> ''),
    entry_price         decimal(18,8) NULL CHECK (entry_price > 0),   -- NULL: at market
    stop_price          decimal(18,8) NULL CHECK (stop_price > 0),
    target_1            decimal(18,8) NULL CHECK (target_1 > 0),
    target_2            decimal(18,8) NULL CHECK (target_2 > 0),
    target_3            decimal(18,8) NULL CHECK (target_3 > 0),
    strategy_id         uuid NULL,        -- order_manager.strategies(id), checked by the service
    raw_message         text NULL,
    metadata            jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    deleted_at          timestamptz NULL,
    deleted_by          varchar(100) NULL,
    PRIMARY KEY (id, created_at),
    CONSTRAINT tp_capital_signals_message_key UNIQUE (channel, telegram_message_id, created_at),
    CONSTRAINT tp_capital_signals_channel_check CHECK (source <> 'telegram' OR channel IS NOT NULL),
    CONSTRAINT tp_capital_signals_deleted_check CHECK ((deleted_at IS NULL) = (deleted_by IS NULL))
) PARTITION BY RANGE (created_at);

-- Spec §4.1: dashboard queries by channel and asset.
CREATE INDEX idx_signals_dashboard
    ON "tp-capital".tp_capital_signals (channel, asset, created_at DESC);
-- Spec §8.2: channel over the last days, index-only.
CREATE INDEX idx_signals_dashboard_opt
    ON "tp-capital".tp_capital_signals (channel, created_at DESC)
    INCLUDE (signal_type, asset, entry_price);
-- Spec §4.1: live signals, newest first.
CREATE INDEX idx_signals_active
    ON "tp-capital".tp_capital_signals (created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_signals_asset ON "tp-capital".tp_capital_signals (asset, created_at DESC);

SELECT public.ts_partition_register('"tp-capital".tp_capital_signals', interval '1 month', 2, NULL);

-- ---------------------------------------------------------------------------------------------
-- Rollups (erratum 7): spec §5.2 mv_signal_summary_daily as a table.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE "tp-capital".rollup_watermarks (
    rollup       text PRIMARY KEY,
    watermark    timestamptz NOT NULL DEFAULT '-infinity',  -- source rows before it are rolled up
    refreshed_at timestamptz NULL
);

-- Per UTC day, channel and signal type, over signals not deleted. channel '' stands for
-- signals without a channel (ml, manual): a key column cannot be NULL.
CREATE TABLE "tp-capital".signal_summary_daily (
    signal_date       date NOT NULL,
    channel           varchar(100) NOT NULL,
    signal_type       varchar(20) NOT NULL,
    signal_count      bigint NOT NULL CHECK (signal_count > 0),
    unique_assets     bigint NOT NULL,
    entry_price_sum   numeric NOT NULL DEFAULT 0,
    entry_price_count bigint NOT NULL DEFAULT 0,
    avg_entry_price   decimal(18,8) GENERATED ALWAYS AS (
                      CASE WHEN entry_price_count > 0
                           THEN round(entry_price_sum / entry_price_count, 8) END) STORED,
    last_signal_time  timestamptz NOT NULL,
    refreshed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (signal_date, channel, signal_type)
);

INSERT INTO "tp-capital".rollup_watermarks (rollup) VALUES ('signal_summary_daily');

-- Recomputes the days that overlap [from_ts, to_ts). A soft delete changes a past day: rebuild
-- that day (from its start to its end) after deleting. Returns the rows written.
CREATE OR REPLACE FUNCTION "tp-capital".rebuild_signal_summary_daily(from_ts timestamptz,
                                                                     to_ts timestamptz)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz := date_trunc('day', from_ts, 'UTC');
    n  bigint;
BEGIN
    IF from_ts IS NULL OR to_ts IS NULL OR to_ts <= from_ts THEN
        RETURN 0;
    END IF;
    DELETE FROM "tp-capital".signal_summary_daily s
    WHERE s.signal_date >= (lo AT TIME ZONE 'UTC')::date
      AND s.signal_date <= ((to_ts - interval '1 microsecond') AT TIME ZONE 'UTC')::date;
    INSERT INTO "tp-capital".signal_summary_daily
        (signal_date, channel, signal_type, signal_count, unique_assets, entry_price_sum,
         entry_price_count, last_signal_time)
    SELECT (s.created_at AT TIME ZONE 'UTC')::date, coalesce(s.channel, ''), s.signal_type,
           count(*), count(DISTINCT s.asset), coalesce(sum(s.entry_price), 0), count(s.entry_price),
           max(s.created_at)
    FROM "tp-capital".tp_capital_signals s
    WHERE s.created_at >= lo AND s.created_at < to_ts AND s.deleted_at IS NULL
    GROUP BY 1, 2, 3;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Incremental refresh from the watermark (less `lookback`) up to `upto`.
CREATE OR REPLACE FUNCTION "tp-capital".rollup_signal_summary_daily(
    upto timestamptz DEFAULT now(), lookback interval DEFAULT interval '1 day')
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    w timestamptz;
    n bigint;
BEGIN
    SELECT m.watermark INTO STRICT w FROM "tp-capital".rollup_watermarks m
    WHERE m.rollup = 'signal_summary_daily' FOR UPDATE;
    n := "tp-capital".rebuild_signal_summary_daily(w - lookback, upto);
    UPDATE "tp-capital".rollup_watermarks
    SET watermark = greatest(watermark, upto), refreshed_at = now()
    WHERE rollup = 'signal_summary_daily';
    RETURN n;
END
$$;

SELECT public.ts_partition_maintain(now());
