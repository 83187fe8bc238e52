-- 0001_init.sql: the order manager schema (spec §6), database order_manager, schema
-- order_manager: accounts, strategies, risk_limits, orders, trades, positions,
-- position_history, order_audit_log, outbox, kill_switch_log, and the daily trade rollup.
--
-- Errata fixed here (DESIGN.md §6):
--   1  orders stays a plain table (PK id, UNIQUE order_ref); the time-series tables are
--      partitioned with every key including the partition column.
--   2  the audit action names the new state (SUBMITTED, PARTIAL_FILL, FILLED, CANCELED,
--      REJECTED, EXPIRED); 'STATUS_CHANGE' is gone.
--   3  price/quantity/stop_price changes are audited as MODIFIED, with old and new values.
--   4  changed_by comes from the per-transaction setting app.actor; no actor, no change.
--   5  positions: any number of CLOSED rows, quantity 0 when CLOSED, prices DECIMAL(18,8),
--      at most one OPEN/CLOSING row per (account, strategy, symbol) by a partial unique index.
--   6  risk_limits uses UNIQUE NULLS NOT DISTINCT (PostgreSQL 15, checked in 0000_common.sql).
--   7  the daily trade summary is a rollup table kept from a watermark, not a continuous
--      aggregate.
--   8  strategies is a plain table with UNIQUE (name).
--   13 all times are TIMESTAMPTZ (microseconds).
--   15 the order life cycle is enforced: CHECKs and a BEFORE UPDATE trigger.
-- See docs/schema.md.

CREATE SCHEMA IF NOT EXISTS order_manager;

-- ---------------------------------------------------------------------------------------------
-- accounts: the trading accounts orders and positions belong to (the spec references
-- account_id but never defines it).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.accounts (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name           varchar(100) NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    broker_account varchar(50)  NOT NULL CHECK (btrim(broker_account) <> ''),
    currency       varchar(3)   NOT NULL DEFAULT 'BRL' CHECK (currency ~ '^[A-Z]{3}$'),
    status         varchar(20)  NOT NULL DEFAULT 'ACTIVE'
                   CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now(),
    metadata       jsonb        NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TRIGGER trg_accounts_update_timestamp
    BEFORE UPDATE ON order_manager.accounts
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- strategies (erratum 8: a plain table; a weekly hypertable could not keep UNIQUE (name)).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.strategies (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name              varchar(255) NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    description       text NULL,
    strategy_type     varchar(50) NOT NULL CHECK (
                      strategy_type IN ('TREND_FOLLOWING', 'MEAN_REVERSION', 'ARBITRAGE', 'MANUAL')),
    status            varchar(20) NOT NULL DEFAULT 'INACTIVE' CHECK (
                      status IN ('ACTIVE', 'INACTIVE', 'PAUSED', 'TESTING')),
    parameters        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(parameters) = 'object'),
    max_position_size decimal(18,8) NULL CHECK (max_position_size >= 0),  -- a quantity
    max_daily_loss    decimal(18,2) NULL CHECK (max_daily_loss >= 0),     -- money
    max_drawdown_pct  decimal(5,2)  NULL CHECK (max_drawdown_pct BETWEEN 0 AND 100),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    created_by        varchar(100) NOT NULL,
    metadata          jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX idx_strategies_status ON order_manager.strategies (status);
CREATE INDEX idx_strategies_type ON order_manager.strategies (strategy_type);

CREATE TRIGGER trg_strategies_update_timestamp
    BEFORE UPDATE ON order_manager.strategies
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- risk_limits (erratum 6: UNIQUE NULLS NOT DISTINCT, PostgreSQL 15).
-- Scope: ACCOUNT = one account (no strategy, no symbol); STRATEGY = one strategy, in one
-- account or in all (account_id NULL), no symbol; SYMBOL = one symbol, optionally narrowed to
-- an account and/or a strategy.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.risk_limits (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    limit_type        varchar(20) NOT NULL CHECK (limit_type IN ('ACCOUNT', 'STRATEGY', 'SYMBOL')),
    account_id        uuid NULL REFERENCES order_manager.accounts (id),
    strategy_id       uuid NULL REFERENCES order_manager.strategies (id),
    symbol            varchar(50) NULL CHECK (btrim(symbol) <> ''),
    max_order_value   decimal(18,2) NULL CHECK (max_order_value >= 0),
    max_position_size decimal(18,8) NULL CHECK (max_position_size >= 0),
    max_daily_loss    decimal(18,2) NULL CHECK (max_daily_loss >= 0),
    max_daily_trades  integer NULL CHECK (max_daily_trades >= 0),
    status            varchar(20) NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    metadata          jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT risk_limits_scope_check CHECK (
        CASE limit_type
            WHEN 'ACCOUNT'  THEN account_id IS NOT NULL AND strategy_id IS NULL AND symbol IS NULL
            WHEN 'STRATEGY' THEN strategy_id IS NOT NULL AND symbol IS NULL
            WHEN 'SYMBOL'   THEN symbol IS NOT NULL
        END),
    CONSTRAINT risk_limits_some_limit_check CHECK (
        num_nonnulls(max_order_value, max_position_size, max_daily_loss, max_daily_trades) > 0),
    CONSTRAINT risk_limits_scope_key
        UNIQUE NULLS NOT DISTINCT (limit_type, account_id, strategy_id, symbol)
);

CREATE INDEX idx_risk_limits_account ON order_manager.risk_limits (account_id);
CREATE INDEX idx_risk_limits_strategy ON order_manager.risk_limits (strategy_id);

CREATE TRIGGER trg_risk_limits_update_timestamp
    BEFORE UPDATE ON order_manager.risk_limits
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- orders: a plain table (erratum 1), its life cycle enforced (erratum 15).
--   PENDING      -> SUBMITTED | REJECTED | CANCELED
--   SUBMITTED    -> PARTIAL_FILL | FILLED | CANCELED | REJECTED | EXPIRED
--   PARTIAL_FILL -> PARTIAL_FILL | FILLED | CANCELED | EXPIRED
--   FILLED, CANCELED, REJECTED, EXPIRED: terminal, the row no longer changes (metadata aside).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.orders (
    -- Identity (ids are UUIDv7 from the program; the default is a fallback)
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_ref       varchar(50) NOT NULL UNIQUE CHECK (btrim(order_ref) <> ''),
    venue_order_id  varchar(64) NULL,   -- the venue's id for the order, once it has one

    -- Instrument (symbol -> data_capture.instruments is checked by the service: other database)
    symbol          varchar(50) NOT NULL CHECK (btrim(symbol) <> ''),
    exchange        varchar(20) NOT NULL,
    asset_class     varchar(20) NOT NULL CHECK (asset_class IN ('stock', 'future', 'fx', 'crypto')),

    -- Order details
    side            varchar(10) NOT NULL CHECK (side IN ('BUY', 'SELL')),
    order_type      varchar(20) NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT')),
    time_in_force   varchar(3)  NOT NULL DEFAULT 'DAY' CHECK (time_in_force IN ('DAY', 'GTC', 'IOC', 'FOK')),
    quantity        decimal(18,8) NOT NULL CHECK (quantity > 0),
    price           decimal(18,8) NULL CHECK (price > 0),        -- LIMIT, STOP_LIMIT only
    stop_price      decimal(18,8) NULL CHECK (stop_price > 0),   -- STOP, STOP_LIMIT only

    -- Execution
    status          varchar(20) NOT NULL DEFAULT 'PENDING' CHECK (
                    status IN ('PENDING', 'SUBMITTED', 'PARTIAL_FILL', 'FILLED', 'CANCELED',
                               'REJECTED', 'EXPIRED')),
    filled_quantity decimal(18,8) NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0),
    avg_fill_price  decimal(18,8) NULL CHECK (avg_fill_price > 0),
    reject_reason   text NULL,

    -- Strategy & risk
    strategy_id     uuid NOT NULL REFERENCES order_manager.strategies (id),
    account_id      uuid NOT NULL REFERENCES order_manager.accounts (id),
    position_type   varchar(20) NOT NULL CHECK (position_type IN ('DAY_TRADE', 'SWING', 'POSITION')),

    -- Timestamps
    created_at      timestamptz NOT NULL DEFAULT now(),
    submitted_at    timestamptz NULL,
    filled_at       timestamptz NULL,
    canceled_at     timestamptz NULL,
    expired_at      timestamptz NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),

    -- Audit
    created_by      varchar(100) NOT NULL CHECK (btrim(created_by) <> ''),
    reason          text NULL,   -- justification for compliance

    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),

    CONSTRAINT orders_filled_le_quantity_check CHECK (filled_quantity <= quantity),
    CONSTRAINT orders_price_by_type_check CHECK (
        (order_type IN ('LIMIT', 'STOP_LIMIT')) = (price IS NOT NULL)),
    CONSTRAINT orders_stop_price_by_type_check CHECK (
        (order_type IN ('STOP', 'STOP_LIMIT')) = (stop_price IS NOT NULL)),
    CONSTRAINT orders_avg_fill_price_when_filled_check CHECK (
        (filled_quantity > 0) = (avg_fill_price IS NOT NULL)),
    CONSTRAINT orders_status_fill_check CHECK (
        CASE status
            WHEN 'PENDING'      THEN filled_quantity = 0
            WHEN 'SUBMITTED'    THEN filled_quantity = 0
            WHEN 'REJECTED'     THEN filled_quantity = 0
            WHEN 'PARTIAL_FILL' THEN filled_quantity > 0 AND filled_quantity < quantity
            WHEN 'FILLED'       THEN filled_quantity = quantity
            ELSE true           -- CANCELED, EXPIRED: possibly after partial fills
        END),
    CONSTRAINT orders_status_times_check CHECK (
        (status NOT IN ('SUBMITTED', 'PARTIAL_FILL', 'FILLED') OR submitted_at IS NOT NULL)
        AND (status <> 'FILLED' OR filled_at IS NOT NULL)
        AND (status <> 'CANCELED' OR canceled_at IS NOT NULL)
        AND (status <> 'EXPIRED' OR expired_at IS NOT NULL))
);

-- order_ref has its UNIQUE index (the spec's idx_orders_ref would duplicate it).
CREATE INDEX idx_orders_symbol ON order_manager.orders (symbol, created_at DESC);
CREATE INDEX idx_orders_status ON order_manager.orders (status, created_at DESC);
CREATE INDEX idx_orders_strategy ON order_manager.orders (strategy_id, created_at DESC);
CREATE INDEX idx_orders_account ON order_manager.orders (account_id, created_at DESC);
CREATE INDEX idx_orders_created ON order_manager.orders (created_at DESC);
CREATE INDEX idx_orders_active ON order_manager.orders (created_at DESC)
    WHERE status IN ('PENDING', 'SUBMITTED', 'PARTIAL_FILL');

-- BEFORE INSERT OR UPDATE: refuses illegal transitions (SQLSTATE 23514 check_violation, message
-- 'illegal order transition FILLED -> CANCELED'), decreasing fills, changes to identity columns
-- and to terminal orders; requires app.actor (SQLSTATE TS001); fills in the time of a state
-- the program did not stamp; keeps updated_at current.
CREATE OR REPLACE FUNCTION order_manager.orders_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    o jsonb;
    n jsonb;
    k text;
BEGIN
    PERFORM public.ts_actor();

    IF TG_OP = 'INSERT' THEN
        IF NEW.status NOT IN ('PENDING', 'SUBMITTED', 'REJECTED') THEN
            RAISE EXCEPTION 'a new order must be PENDING, SUBMITTED or REJECTED, not %', NEW.status
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.status = 'SUBMITTED' THEN
            NEW.submitted_at := coalesce(NEW.submitted_at, now());
        END IF;
        RETURN NEW;
    END IF;

    NEW.updated_at := now();
    o := to_jsonb(OLD);
    n := to_jsonb(NEW);

    IF OLD.status IN ('FILLED', 'CANCELED', 'REJECTED', 'EXPIRED') THEN
        IF NEW.status <> OLD.status THEN
            RAISE EXCEPTION 'illegal order transition % -> %', OLD.status, NEW.status
                USING ERRCODE = 'check_violation',
                      DETAIL = format('order %s is %s, a terminal state', OLD.id, OLD.status);
        END IF;
        IF (o - 'metadata' - 'updated_at') IS DISTINCT FROM (n - 'metadata' - 'updated_at') THEN
            RAISE EXCEPTION 'order % is %: a terminal order cannot change', OLD.id, OLD.status
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;

    IF NEW.status <> OLD.status AND NOT (
           (OLD.status = 'PENDING' AND NEW.status IN ('SUBMITTED', 'REJECTED', 'CANCELED'))
        OR (OLD.status = 'SUBMITTED' AND NEW.status IN ('PARTIAL_FILL', 'FILLED', 'CANCELED',
                                                         'REJECTED', 'EXPIRED'))
        OR (OLD.status = 'PARTIAL_FILL' AND NEW.status IN ('FILLED', 'CANCELED', 'EXPIRED')))
    THEN
        RAISE EXCEPTION 'illegal order transition % -> %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;

    IF NEW.filled_quantity < OLD.filled_quantity THEN
        RAISE EXCEPTION 'filled_quantity of order % cannot decrease (% -> %)',
            OLD.id, OLD.filled_quantity, NEW.filled_quantity
            USING ERRCODE = 'check_violation';
    END IF;

    FOREACH k IN ARRAY ARRAY['id', 'order_ref', 'symbol', 'exchange', 'asset_class', 'side',
                             'order_type', 'strategy_id', 'account_id', 'position_type',
                             'created_at', 'created_by']
    LOOP
        IF o -> k IS DISTINCT FROM n -> k THEN
            RAISE EXCEPTION 'column % of an order cannot change', k
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;

    IF NEW.status <> OLD.status THEN
        CASE NEW.status
            WHEN 'SUBMITTED' THEN NEW.submitted_at := coalesce(NEW.submitted_at, now());
            WHEN 'FILLED' THEN NEW.filled_at := coalesce(NEW.filled_at, now());
            WHEN 'CANCELED' THEN NEW.canceled_at := coalesce(NEW.canceled_at, now());
            WHEN 'EXPIRED' THEN NEW.expired_at := coalesce(NEW.expired_at, now());
            ELSE NULL;
        END CASE;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_orders_guard
    BEFORE INSERT OR UPDATE ON order_manager.orders
    FOR EACH ROW EXECUTE FUNCTION order_manager.orders_guard();

-- Orders are never deleted (their audit trail would lose its subject): cancel them instead.
-- Raises SQLSTATE 55000 (object_not_in_prerequisite_state).
CREATE OR REPLACE FUNCTION order_manager.orders_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'orders are never deleted: cancel order % instead', OLD.id
        USING ERRCODE = 'object_not_in_prerequisite_state';
END
$$;

CREATE TRIGGER trg_orders_no_delete
    BEFORE DELETE ON order_manager.orders
    FOR EACH ROW EXECUTE FUNCTION order_manager.orders_no_delete();

-- ---------------------------------------------------------------------------------------------
-- order_audit_log: one row per change of an order (errata 2, 3, 4); partitioned monthly on
-- changed_at (erratum 1: the key includes it). Kept forever by default (7 years of
-- regulation); retention is the program's, after export.
--   action  CREATED on insert; the new status when the status or the filled quantity changes;
--           MODIFIED when price, quantity or stop_price change without that; UPDATED when
--           only other columns change (metadata, reason, venue_order_id, ...).
--   changes {"column": {"old": ..., "new": ...}} for each changed column (decimals as strings).
--   seq     increasing number: the order of the rows of one order (changed_at can tie).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.order_audit_log (
    id         uuid NOT NULL DEFAULT public.ts_uuid_v7(),
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    order_id   uuid NOT NULL,  -- no FK: an audit row must outlive anything
    action     varchar(50) NOT NULL CHECK (
               action IN ('CREATED', 'SUBMITTED', 'PARTIAL_FILL', 'FILLED', 'CANCELED', 'REJECTED',
                          'EXPIRED', 'MODIFIED', 'UPDATED')),
    old_status varchar(20) NULL,
    new_status varchar(20) NOT NULL,
    changed_by varchar(100) NOT NULL CHECK (btrim(changed_by) <> ''),
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    reason     text NULL,
    changes    jsonb NULL,
    metadata   jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (id, changed_at)
) PARTITION BY RANGE (changed_at);

CREATE INDEX idx_order_audit_order ON order_manager.order_audit_log (order_id, changed_at DESC);
CREATE INDEX idx_order_audit_action ON order_manager.order_audit_log (action, changed_at DESC);
CREATE INDEX idx_order_audit_changed_by ON order_manager.order_audit_log (changed_by, changed_at DESC);

SELECT public.ts_partition_register('order_manager.order_audit_log', interval '1 month', 2, NULL);

-- AFTER INSERT OR UPDATE on orders: writes the audit row. The reason is app.reason when the
-- transaction sets it, else the order's reason (on insert) or reject_reason (on rejection).
-- SECURITY DEFINER: the application role needs no write privilege on the audit log.
CREATE OR REPLACE FUNCTION order_manager.audit_order_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    actor   text := public.ts_actor();
    why     text := nullif(btrim(coalesce(current_setting('app.reason', true), '')), '');
    delta   jsonb;
    act     text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO order_manager.order_audit_log
            (order_id, action, old_status, new_status, changed_by, reason, changes)
        VALUES (NEW.id, 'CREATED', NULL, NEW.status, actor, coalesce(why, NEW.reason),
                public.ts_jsonb_diff(NULL, to_jsonb(NEW), ARRAY['id', 'updated_at']));
        RETURN NULL;
    END IF;

    delta := public.ts_jsonb_diff(to_jsonb(OLD), to_jsonb(NEW), ARRAY['updated_at']);
    IF delta = '{}'::jsonb THEN
        RETURN NULL;   -- nothing changed: nothing to audit
    END IF;
    IF NEW.status <> OLD.status OR NEW.filled_quantity <> OLD.filled_quantity THEN
        act := NEW.status;
    ELSIF delta ?| ARRAY['price', 'quantity', 'stop_price'] THEN
        act := 'MODIFIED';
    ELSE
        act := 'UPDATED';
    END IF;
    IF why IS NULL AND act = 'REJECTED' THEN
        why := NEW.reject_reason;
    END IF;
    INSERT INTO order_manager.order_audit_log
        (order_id, action, old_status, new_status, changed_by, reason, changes)
    VALUES (NEW.id, act, OLD.status, NEW.status, actor, why, delta);
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_orders_audit
    AFTER INSERT OR UPDATE ON order_manager.orders
    FOR EACH ROW EXECUTE FUNCTION order_manager.audit_order_change();

-- ---------------------------------------------------------------------------------------------
-- trades: fills, partitioned monthly on executed_at. A fill reported twice by the venue is
-- stored once: the natural key (execution_venue, trade_ref, executed_at) is unique; write with
-- INSERT ... ON CONFLICT ON CONSTRAINT trades_natural_key DO NOTHING.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.trades (
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    trade_ref       varchar(50) NOT NULL CHECK (btrim(trade_ref) <> ''),  -- the venue's trade id
    order_id        uuid NOT NULL REFERENCES order_manager.orders (id),
    account_id      uuid NOT NULL REFERENCES order_manager.accounts (id),

    symbol          varchar(50) NOT NULL,
    exchange        varchar(20) NOT NULL,
    side            varchar(10) NOT NULL CHECK (side IN ('BUY', 'SELL')),
    quantity        decimal(18,8) NOT NULL CHECK (quantity > 0),
    price           decimal(18,8) NOT NULL CHECK (price > 0),
    total_value     decimal(18,2) NOT NULL CHECK (total_value >= 0),  -- quantity * price, half-even

    commission      decimal(18,2) NOT NULL DEFAULT 0 CHECK (commission >= 0),
    tax             decimal(18,2) NOT NULL DEFAULT 0 CHECK (tax >= 0),
    slippage        decimal(18,8) NULL,

    executed_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),

    execution_venue varchar(50) NOT NULL CHECK (btrim(execution_venue) <> ''),  -- e.g. PAPER, B3
    broker_account  varchar(50) NOT NULL,

    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),

    PRIMARY KEY (id, executed_at),
    CONSTRAINT trades_natural_key UNIQUE (execution_venue, trade_ref, executed_at)
) PARTITION BY RANGE (executed_at);

CREATE INDEX idx_trades_order ON order_manager.trades (order_id, executed_at DESC);
CREATE INDEX idx_trades_symbol ON order_manager.trades (symbol, executed_at DESC);
CREATE INDEX idx_trades_account ON order_manager.trades (account_id, executed_at DESC);
CREATE INDEX idx_trades_broker_account ON order_manager.trades (broker_account, executed_at DESC);

SELECT public.ts_partition_register('order_manager.trades', interval '1 month', 2, NULL);

-- ---------------------------------------------------------------------------------------------
-- positions (erratum 5): current and past positions. A CLOSED position has quantity 0; OPEN
-- and CLOSING ones have quantity > 0 and there is at most one of them per
-- (account_id, strategy_id, symbol).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.positions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),

    symbol          varchar(50) NOT NULL,
    exchange        varchar(20) NOT NULL,
    asset_class     varchar(20) NOT NULL CHECK (asset_class IN ('stock', 'future', 'fx', 'crypto')),

    side            varchar(10) NOT NULL CHECK (side IN ('LONG', 'SHORT')),
    quantity        decimal(18,8) NOT NULL CHECK (quantity >= 0),
    avg_entry_price decimal(18,8) NOT NULL CHECK (avg_entry_price >= 0),
    current_price   decimal(18,8) NULL CHECK (current_price >= 0),

    unrealized_pnl  decimal(18,2) NULL,
    realized_pnl    decimal(18,2) NOT NULL DEFAULT 0,

    strategy_id     uuid NOT NULL REFERENCES order_manager.strategies (id),
    account_id      uuid NOT NULL REFERENCES order_manager.accounts (id),
    position_type   varchar(20) NOT NULL CHECK (position_type IN ('DAY_TRADE', 'SWING', 'POSITION')),

    opened_at       timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),

    status          varchar(20) NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CLOSING', 'CLOSED')),

    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),

    CONSTRAINT positions_quantity_status_check CHECK (
        CASE WHEN status = 'CLOSED' THEN quantity = 0 AND closed_at IS NOT NULL
             ELSE quantity > 0 AND closed_at IS NULL END)
);

CREATE UNIQUE INDEX uq_positions_one_open
    ON order_manager.positions (account_id, strategy_id, symbol)
    WHERE status IN ('OPEN', 'CLOSING');
CREATE INDEX idx_positions_symbol ON order_manager.positions (symbol);
CREATE INDEX idx_positions_account ON order_manager.positions (account_id);
CREATE INDEX idx_positions_strategy ON order_manager.positions (strategy_id);
CREATE INDEX idx_positions_active ON order_manager.positions (updated_at DESC)
    WHERE status = 'OPEN';

CREATE TRIGGER trg_positions_update_timestamp
    BEFORE UPDATE ON order_manager.positions
    FOR EACH ROW EXECUTE FUNCTION public.ts_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- position_history: snapshots of positions, partitioned monthly on snapshot_at.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.position_history (
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    position_id     uuid NOT NULL REFERENCES order_manager.positions (id),

    quantity        decimal(18,8) NOT NULL CHECK (quantity >= 0),
    avg_entry_price decimal(18,8) NOT NULL CHECK (avg_entry_price >= 0),
    current_price   decimal(18,8) NOT NULL CHECK (current_price >= 0),
    unrealized_pnl  decimal(18,2) NOT NULL,
    realized_pnl    decimal(18,2) NOT NULL,

    snapshot_at     timestamptz NOT NULL DEFAULT now(),
    reason          varchar(50) NOT NULL CHECK (reason IN ('trade_fill', 'price_update', 'eod_snapshot')),

    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),

    PRIMARY KEY (id, snapshot_at)
) PARTITION BY RANGE (snapshot_at);

CREATE INDEX idx_position_history_position
    ON order_manager.position_history (position_id, snapshot_at DESC);

SELECT public.ts_partition_register('order_manager.position_history', interval '1 month', 2, NULL);

-- ---------------------------------------------------------------------------------------------
-- outbox: domain events (spec §3.1), written in the same transaction as the change they
-- describe. seq is global, increasing and never reused (an identity that cannot be supplied);
-- stream clients resume with "since": seq. Plain table: the program prunes delivered events
-- (DELETE ... WHERE created_at < ...), which never reuses a seq.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.outbox (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic        varchar(50) NOT NULL CHECK (topic ~ '^[a-z][a-z0-9_.:-]*$'),   -- orders, trades, ...
    event_type   varchar(64) NOT NULL CHECK (event_type ~ '^[A-Z][A-Za-z0-9]*$'), -- OrderFilled, ...
    aggregate_id uuid NULL,
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(payload) = 'object'),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_outbox_topic ON order_manager.outbox (topic, seq);
CREATE INDEX idx_outbox_aggregate ON order_manager.outbox (aggregate_id, seq);
CREATE INDEX idx_outbox_created ON order_manager.outbox (created_at);

-- ---------------------------------------------------------------------------------------------
-- kill_switch_log: every activation and release of the risk kill switch (API
-- POST /risk/kill-switch); the latest row is the current state.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.kill_switch_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    active     boolean NOT NULL,
    reason     text NOT NULL CHECK (btrim(reason) <> ''),
    changed_by varchar(100) NOT NULL DEFAULT public.ts_actor() CHECK (btrim(changed_by) <> ''),
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- Rollups (erratum 7): tables kept up to date by the program from a watermark, in place of
-- TimescaleDB continuous aggregates.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE order_manager.rollup_watermarks (
    rollup       text PRIMARY KEY,
    watermark    timestamptz NOT NULL DEFAULT '-infinity',  -- source rows before it are rolled up
    refreshed_at timestamptz NULL
);

-- Spec §8.2 mv_daily_trade_summary: per UTC day, symbol and side.
CREATE TABLE order_manager.trade_summary_daily (
    trade_date       date NOT NULL,           -- UTC day of executed_at
    symbol           varchar(50) NOT NULL,
    side             varchar(10) NOT NULL,
    trade_count      bigint NOT NULL CHECK (trade_count > 0),
    total_volume     decimal(18,8) NOT NULL,
    price_sum        numeric NOT NULL,        -- for avg_price
    avg_price        decimal(18,8) GENERATED ALWAYS AS (round(price_sum / trade_count, 8)) STORED,
    total_value      decimal(18,2) NOT NULL,
    total_commission decimal(18,2) NOT NULL,
    total_tax        decimal(18,2) NOT NULL,
    refreshed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (trade_date, symbol, side)
);

INSERT INTO order_manager.rollup_watermarks (rollup) VALUES ('trade_summary_daily');

-- Recomputes the days that overlap [from_ts, to_ts) from the trades (whole days; trades at or
-- after to_ts are left for later). Does not move the watermark. Returns the rows written.
CREATE OR REPLACE FUNCTION order_manager.rebuild_trade_summary_daily(from_ts timestamptz,
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
    DELETE FROM order_manager.trade_summary_daily s
    WHERE s.trade_date >= (lo AT TIME ZONE 'UTC')::date
      AND s.trade_date <= ((to_ts - interval '1 microsecond') AT TIME ZONE 'UTC')::date;
    INSERT INTO order_manager.trade_summary_daily
        (trade_date, symbol, side, trade_count, total_volume, price_sum, total_value,
         total_commission, total_tax)
    SELECT (t.executed_at AT TIME ZONE 'UTC')::date, t.symbol, t.side, count(*), sum(t.quantity),
           sum(t.price), sum(t.total_value), sum(t.commission), sum(t.tax)
    FROM order_manager.trades t
    WHERE t.executed_at >= lo AND t.executed_at < to_ts
    GROUP BY 1, 2, 3;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Incremental refresh: recomputes from the watermark (less `lookback`, for late fills) up to
-- `upto`, then moves the watermark to `upto`. The program calls it on a schedule.
CREATE OR REPLACE FUNCTION order_manager.rollup_trade_summary_daily(
    upto timestamptz DEFAULT now(), lookback interval DEFAULT interval '1 day')
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    w timestamptz;
    n bigint;
BEGIN
    SELECT m.watermark INTO STRICT w FROM order_manager.rollup_watermarks m
    WHERE m.rollup = 'trade_summary_daily' FOR UPDATE;
    n := order_manager.rebuild_trade_summary_daily(w - lookback, upto);
    UPDATE order_manager.rollup_watermarks
    SET watermark = greatest(watermark, upto), refreshed_at = now()
    WHERE rollup = 'trade_summary_daily';
    RETURN n;
END
$$;

SELECT public.ts_partition_maintain(now());
