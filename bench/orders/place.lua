-- place.lua - wrk script: POST /api/v1/orders, every request a new order.
-- Arguments (after -- on wrk's command line): run tag, account_id, strategy_id, symbol.
-- order_ref is "wrk-<run>-<thread>-<n>": unique per request within a run, and run.sh gives
-- every wrk invocation its own tag, so no request is an idempotent replay (those answer 200).
-- LIMIT BUY 1 @ 1.00: far below any market, nothing fills; every order stays SUBMITTED.
-- At the end prints "answers: 201=N other=M" (wrk's own Non-2xx count would not see a 200);
-- the first few other answers are printed to stderr with their body.

local threads = {}
local nthreads = 0

function setup(thread)
    nthreads = nthreads + 1
    thread:set("tid", nthreads)
    table.insert(threads, thread)
end

function init(args)
    local run, account, strategy, symbol = args[1], args[2], args[3], args[4] or "BENCH3"
    assert(run and account and strategy, "usage: wrk ... -s place.lua URL -- RUN ACCOUNT STRATEGY [SYMBOL]")
    n = 0
    created = 0
    other = 0
    wrk.method = "POST"
    wrk.path = "/api/v1/orders"
    wrk.headers["Content-Type"] = "application/json"
    local token = os.getenv("TS_BENCH_TOKEN")
    assert(token, "TS_BENCH_TOKEN: an API token (bench/lib.sh makes one)")
    wrk.headers["Authorization"] = "Bearer " .. token
    prefix = string.format('{"order_ref":"wrk-%s-%d-', run, tid)
    suffix = string.format('","account_id":"%s","strategy_id":"%s","symbol":"%s","side":"BUY",'
        .. '"order_type":"LIMIT","quantity":"1","price":"1.00","position_type":"DAY_TRADE"}',
        account, strategy, symbol)
end

function request()
    n = n + 1
    return wrk.format(nil, nil, nil, prefix .. n .. suffix)
end

function response(status, headers, body)
    if status == 201 then
        created = created + 1
    else
        other = other + 1
        if other <= 3 then
            io.stderr:write(string.format("place.lua: answer %d: %s\n", status, body or ""))
        end
    end
end

function done(summary, latency, requests)
    local c, o = 0, 0
    for _, t in ipairs(threads) do
        c = c + (t:get("created") or 0)
        o = o + (t:get("other") or 0)
    end
    io.write(string.format("answers: 201=%d other=%d\n", c, o))
end
