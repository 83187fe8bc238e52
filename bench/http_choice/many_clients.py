#!/usr/bin/env python3
"""many_clients.py - part of bench/http_choice: what a server does with more
simultaneous keep-alive clients than it has threads (civetweb: num_threads=50).

N clients each hold one keep-alive connection to 127.0.0.1:PORT and send
GET /api/v1/health one after the other for SECONDS (reconnecting when the server
closes). wrk only reports the latency of requests that were answered, so a client
that is never served does not show in it; this counts, per client, how many
answers it got and the longest wait for one.

usage: many_clients.py PORT [CLIENTS=200] [SECONDS=3]
prints: clients=N requests=R min_per_client=M starved=S worst_ms=W
"""
import asyncio
import sys
import time

REQ = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def one_client(port, deadline):
    answered, worst = 0, 0.0
    reader = writer = None
    sent_at = time.monotonic()
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            sent_at = time.monotonic()
            writer.write(REQ)
            await writer.drain()
            left = max(deadline - time.monotonic(), 0.01)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), left)
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            await asyncio.wait_for(reader.readexactly(length), left)
            answered += 1
            worst = max(worst, time.monotonic() - sent_at)
            if close:
                writer.close()
                writer = None
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, OSError):
            # never answered before the end, or dropped: the wait counts as seen so far
            worst = max(worst, time.monotonic() - sent_at)
            if writer is not None:
                writer.close()
                writer = None
            if time.monotonic() < deadline:
                await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()
    return answered, worst


async def main():
    port = int(sys.argv[1])
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    deadline = time.monotonic() + seconds
    res = await asyncio.gather(*(one_client(port, deadline) for _ in range(clients)))
    counts = [a for a, _ in res]
    print(f"clients={clients} requests={sum(counts)} min_per_client={min(counts)} "
          f"starved={sum(1 for a in counts if a == 0)} "
          f"worst_ms={max(w for _, w in res) * 1000:.0f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    asyncio.run(main())
