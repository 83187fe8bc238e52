-- place.sql - pgbench script: the durable writes of one accepted order, straight in SQL (no
-- HTTP, no order manager): one transaction that sets the actor, inserts the order PENDING,
-- moves it to SUBMITTED and writes its outbox event. The statements and columns are those of
-- src/oms/load.c (oms_actor, oms_ins_order, oms_upd_order, oms_ins_outbox); run with
-- `pgbench -M prepared` (the order manager prepares them too).
--
-- Variables (pgbench -D): run (a number, distinct for every pgbench invocation), account_id,
-- strategy_id (uuids), n=0 (the per-client counter, kept from one transaction to the next).
-- order_ref 'pgb-<run>-<client>-<n>' is unique. The id is computed from the same numbers, so
-- every statement can name the row without a round trip (the order manager makes its UUIDv7
-- in the program); n leads, so ids grow with time like UUIDv7s and the primary key index is
-- appended to, as with the program's ids. PIPELINE.sql is this file inside
-- \startpipeline/\endpipeline (run.sh makes it): one round trip, as src/oms/txn.c sends a batch.
\set n :n + 1
BEGIN;
SELECT set_config('app.actor', 'bench', true), set_config('app.reason', coalesce(NULL, ''), true);
INSERT INTO order_manager.orders (id, order_ref, symbol, exchange, asset_class, side,
    order_type, time_in_force, quantity, price, stop_price, status, reject_reason,
    strategy_id, account_id, position_type, created_at, submitted_at, updated_at,
    created_by, reason, metadata)
VALUES ((lpad(to_hex(:n), 12, '0') || '7' || lpad(to_hex(:client_id), 3, '0') || '8'
         || lpad(to_hex(:run), 15, '0'))::uuid,
    'pgb-' || :run || '-' || :client_id || '-' || :n, 'BENCH3', 'B3', 'stock', 'BUY',
    'LIMIT', 'DAY', 1, 1.00, NULL, 'PENDING', NULL,
    :strategy_id, :account_id, 'DAY_TRADE', now(), NULL, now(),
    'bench', NULL, coalesce(NULL::jsonb, '{}'::jsonb));
UPDATE order_manager.orders SET status = 'SUBMITTED', quantity = 1, price = 1.00,
    stop_price = NULL, filled_quantity = 0, avg_fill_price = NULL, submitted_at = now(),
    filled_at = NULL, canceled_at = NULL, expired_at = NULL, updated_at = now()
WHERE id = (lpad(to_hex(:n), 12, '0') || '7' || lpad(to_hex(:client_id), 3, '0') || '8'
            || lpad(to_hex(:run), 15, '0'))::uuid;
INSERT INTO order_manager.outbox (topic, event_type, aggregate_id, payload)
VALUES ('orders', 'OrderPlaced',
    (lpad(to_hex(:n), 12, '0') || '7' || lpad(to_hex(:client_id), 3, '0') || '8'
     || lpad(to_hex(:run), 15, '0'))::uuid,
    format('{"id":"%s","order_ref":"%s","account_id":"%s","strategy_id":"%s",'
           '"symbol":"BENCH3","side":"BUY","order_type":"LIMIT","quantity":"1.00000000",'
           '"status":"SUBMITTED","filled_quantity":"0.00000000","price":"1.00000000"}',
           (lpad(to_hex(:n), 12, '0') || '7' || lpad(to_hex(:client_id), 3, '0') || '8'
            || lpad(to_hex(:run), 15, '0'))::uuid,
           'pgb-' || :run || '-' || :client_id || '-' || :n, :account_id, :strategy_id)::jsonb);
COMMIT;
