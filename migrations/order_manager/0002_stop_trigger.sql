-- 0002_stop_trigger.sql: a STOP or STOP_LIMIT order's trigger is stored with the order
-- (issue 14). The order manager kept "the stop has traded" only in memory: after a restart a
-- triggered STOP_LIMIT resting at its limit was untriggered again and a trade at its limit no
-- longer filled it, and no record said when the stop had become live.
--
--   orders.triggered_at      when the order manager saw the stop trade (its clock, as the
--                            other order times); NULL: not triggered
--   orders.trigger_trade_id  the triggering trade: the symbol's exchange trade number, as
--                            data_capture.market_ticks.trade_id
--   orders.trigger_price     that trade's price (at or through stop_price when it traded)
--
-- The three are set together, once, only on a STOP or STOP_LIMIT; the BEFORE trigger
-- orders_trigger_guard refuses a new order that comes triggered and any later change of a
-- trigger once set (terminal orders are already frozen by orders_guard). trigger_price is not
-- checked against stop_price: a working order's stop_price may be modified after it triggered.
--
-- Audit (DESIGN.md errata 2 and 3): the UPDATE that sets the trigger is audited as action
-- TRIGGERED, with the three columns old (null) and new in `changes`, so the compliance trail
-- shows when a stop became live. The order manager writes it as its own UPDATE, before the
-- fills of the same tick. An UPDATE that also changes the status or filled quantity keeps the
-- new state as its action (the trigger columns are then in its `changes`).
-- See docs/schema.md "orders" and "Audit and app.actor".

ALTER TABLE order_manager.orders
    ADD COLUMN triggered_at     timestamptz   NULL,
    ADD COLUMN trigger_trade_id bigint        NULL CHECK (trigger_trade_id >= 0),
    ADD COLUMN trigger_price    decimal(18,8) NULL CHECK (trigger_price > 0),
    ADD CONSTRAINT orders_trigger_complete_check CHECK (
        num_nulls(triggered_at, trigger_trade_id, trigger_price) IN (0, 3)),
    ADD CONSTRAINT orders_trigger_by_type_check CHECK (
        triggered_at IS NULL OR order_type IN ('STOP', 'STOP_LIMIT'));

-- BEFORE INSERT OR UPDATE: a stop triggers at the venue, after it was placed, and once.
-- SQLSTATE 23514 (check_violation), like the other rules of the order's life cycle.
CREATE OR REPLACE FUNCTION order_manager.orders_trigger_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.triggered_at IS NOT NULL THEN
            RAISE EXCEPTION 'a new order cannot have triggered'
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF OLD.triggered_at IS NOT NULL
          AND (NEW.triggered_at, NEW.trigger_trade_id, NEW.trigger_price)
              IS DISTINCT FROM (OLD.triggered_at, OLD.trigger_trade_id, OLD.trigger_price) THEN
        RAISE EXCEPTION 'the trigger of order % cannot change once it triggered', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_orders_trigger_guard
    BEFORE INSERT OR UPDATE ON order_manager.orders
    FOR EACH ROW EXECUTE FUNCTION order_manager.orders_trigger_guard();

-- The audit action TRIGGERED. The CHECK is on the partitioned parent and inherited by every
-- partition: replaced on the parent, it is replaced on all of them (only values are added, so
-- every row on file passes the new one).
ALTER TABLE order_manager.order_audit_log
    DROP CONSTRAINT order_audit_log_action_check,
    ADD CONSTRAINT order_audit_log_action_check CHECK (
        action IN ('CREATED', 'SUBMITTED', 'PARTIAL_FILL', 'FILLED', 'CANCELED', 'REJECTED',
                   'EXPIRED', 'MODIFIED', 'TRIGGERED', 'UPDATED'));

-- As in 0001_init.sql, with TRIGGERED between the new state and MODIFIED.
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
    ELSIF OLD.triggered_at IS NULL AND NEW.triggered_at IS NOT NULL THEN
        act := 'TRIGGERED';
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
