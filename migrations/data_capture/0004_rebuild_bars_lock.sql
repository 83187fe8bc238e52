-- rebuild_market_bars_1m() (0003) against the ingest path's merges in concurrent
-- transactions: the rebuild locks the bars table first (see the comment inside).

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
    -- Wait for every transaction that merged bars (ingest holds ROW EXCLUSIVE on the table
    -- until it commits) and keep new merges out until this one commits: the statements below
    -- then see every tick whose bars were merged, and a merge that comes after adds to what
    -- is rebuilt here. Without it, a merge committed between this function's read of the
    -- ticks and its write of the bars was overwritten (a bar short of its latest ticks).
    LOCK TABLE data_capture.market_bars_1m IN SHARE ROW EXCLUSIVE MODE;
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
