-- 1-minute bars maintained in the same transaction as their ticks (api/ingest.c): a batch's
-- new ticks are aggregated and merged into their bars with INSERT .. ON CONFLICT, so bars are
-- never behind the ticks and no periodic re-aggregation is needed. Merging a bar with ticks
-- of any time order needs to know which trade opened and which closed it: the (time, trade
-- number) of each, the order rebuild_market_bars_1m() already used.
ALTER TABLE data_capture.market_bars_1m
    ADD COLUMN open_time   timestamptz,
    ADD COLUMN open_trade  bigint,
    ADD COLUMN close_time  timestamptz,
    ADD COLUMN close_trade bigint;

-- Bars made before this migration: their open and close stand (a later tick of that minute
-- widens high/low and adds volume and count only).
UPDATE data_capture.market_bars_1m
SET open_time = bucket, open_trade = -1,
    close_time = bucket + interval '1 minute' - interval '1 microsecond',
    close_trade = 9223372036854775807;

ALTER TABLE data_capture.market_bars_1m
    ALTER COLUMN open_time SET NOT NULL,
    ALTER COLUMN open_trade SET NOT NULL,
    ALTER COLUMN close_time SET NOT NULL,
    ALTER COLUMN close_trade SET NOT NULL,
    ADD CONSTRAINT market_bars_1m_keys_check CHECK (
        (open_time, open_trade) <= (close_time, close_trade)
        AND open_time >= bucket AND close_time < bucket + interval '1 minute');

-- The same bars as before, with their opening and closing trades.
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
    INSERT INTO data_capture.market_bars_1m (symbol, bucket, open, high, low, close, volume,
                                             trade_count, open_time, open_trade, close_time,
                                             close_trade)
    SELECT t.symbol, date_trunc('minute', t.tick_time, 'UTC'),
           (array_agg(t.price ORDER BY t.tick_time, t.trade_id))[1],
           max(t.price), min(t.price),
           (array_agg(t.price ORDER BY t.tick_time DESC, t.trade_id DESC))[1],
           sum(t.volume), count(*),
           min(t.tick_time), (array_agg(t.trade_id ORDER BY t.tick_time, t.trade_id))[1],
           max(t.tick_time), (array_agg(t.trade_id ORDER BY t.tick_time DESC, t.trade_id DESC))[1]
    FROM data_capture.market_ticks t
    WHERE t.tick_time >= lo AND t.tick_time < to_ts
    GROUP BY 1, 2;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Merges bars of new ticks (one row per symbol and minute, with their opening and closing
-- trades) into market_bars_1m: high/low widen, volume and count add up, open and close go to
-- the earliest and latest trade by (time, trade number). Returns the bars touched.
CREATE OR REPLACE FUNCTION data_capture.merge_market_bars_1m(
    symbols text[], buckets timestamptz[], opens numeric[], highs numeric[], lows numeric[],
    closes numeric[], volumes numeric[], counts bigint[], open_times timestamptz[],
    open_trades bigint[], close_times timestamptz[], close_trades bigint[])
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO data_capture.market_bars_1m AS b (symbol, bucket, open, high, low, close, volume,
                                                  trade_count, open_time, open_trade,
                                                  close_time, close_trade)
    SELECT * FROM unnest(symbols, buckets, opens, highs, lows, closes, volumes, counts,
                         open_times, open_trades, close_times, close_trades)
    ON CONFLICT (symbol, bucket) DO UPDATE SET
        open = CASE WHEN (excluded.open_time, excluded.open_trade) < (b.open_time, b.open_trade)
                    THEN excluded.open ELSE b.open END,
        open_time = CASE WHEN (excluded.open_time, excluded.open_trade) < (b.open_time, b.open_trade)
                         THEN excluded.open_time ELSE b.open_time END,
        open_trade = CASE WHEN (excluded.open_time, excluded.open_trade) < (b.open_time, b.open_trade)
                          THEN excluded.open_trade ELSE b.open_trade END,
        close = CASE WHEN (excluded.close_time, excluded.close_trade) > (b.close_time, b.close_trade)
                     THEN excluded.close ELSE b.close END,
        close_time = CASE WHEN (excluded.close_time, excluded.close_trade) > (b.close_time, b.close_trade)
                          THEN excluded.close_time ELSE b.close_time END,
        close_trade = CASE WHEN (excluded.close_time, excluded.close_trade) > (b.close_time, b.close_trade)
                           THEN excluded.close_trade ELSE b.close_trade END,
        high = greatest(b.high, excluded.high),
        low = least(b.low, excluded.low),
        volume = b.volume + excluded.volume,
        trade_count = b.trade_count + excluded.trade_count;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
