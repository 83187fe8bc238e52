-- place.sql - pgbench script: the durable writes of one accepted order, done straight in SQL
-- (no HTTP, no order manager). One transaction: set the actor, insert the order PENDING, move
-- it to SUBMITTED, write its outbox event. Statements and columns are those the order manager
-- prepares in src/oms/load.c (oms_actor, oms_ins_order, oms_upd_order, oms_ins_outbox); the
-- table triggers (life-cycle guard, audit rows) run as they do for the program.
-- Run with pgbench -M prepared, one statement after the other (run.sh also runs it wrapped in
-- a pgbench pipeline: one round trip per transaction, as src/oms/txn.c sends a batch).
--
-- Variables (pgbench -D): run (a small number, new for every pgbench invocation),
-- account_id, strategy_id (uuids), n=0 (a counter that each client keeps between its
-- transactions). k below is unique per order and grows with time, run first, like the
-- program's UUIDv7 ids, so the primary key index is appended to as with the program; the id
-- is k in hex, computed in SQL, so no statement waits for another's answer.
\set n :n + 1
\set k (:run * 4294967296 + :n) * 4096 + :client_id
BEGIN;
SELECT set_config('app.actor', 'bench', true), set_config('app.reason', coalesce(NULL, ''), true);
INSERT INTO order_manager.orders (id, order_ref, symbol, exchange, asset_class, side,
    order_type, time_in_force, quantity, price, stop_price, status, reject_reason,
    strategy_id, account_id, position_type, created_at, submitted_at, updated_at,
    created_by, reason, metadata)
VALUES (lpad(to_hex(:k::bigint), 32, '0')::uuid, 'pgb-' || :k::text, 'BENCH3', 'B3', 'stock',
    'BUY', 'LIMIT', 'DAY', 1, 1.00, NULL, 'PENDING', NULL, :strategy_id, :account_id,
    'DAY_TRADE', now(), NULL, now(), 'bench', NULL, coalesce(NULL::jsonb, '{}'::jsonb));
UPDATE order_manager.orders SET status = 'SUBMITTED', quantity = 1, price = 1.00,
    stop_price = NULL, filled_quantity = 0, avg_fill_price = NULL, submitted_at = now(),
    filled_at = NULL, canceled_at = NULL, expired_at = NULL, updated_at = now()
WHERE id = lpad(to_hex(:k::bigint), 32, '0')::uuid;
INSERT INTO order_manager.outbox (topic, event_type, aggregate_id, payload)
VALUES ('orders', 'OrderPlaced', lpad(to_hex(:k::bigint), 32, '0')::uuid,
    format('{"id":"%s","order_ref":"pgb-%s","account_id":"%s","strategy_id":"%s",'
           '"symbol":"BENCH3","side":"BUY","order_type":"LIMIT","quantity":"1.00000000",'
           '"status":"SUBMITTED","filled_quantity":"0.00000000","price":"1.00000000"}',
           lpad(to_hex(:k::bigint), 32, '0')::uuid, :k::text, :account_id::text,
           :strategy_id::text)::jsonb);
COMMIT;
