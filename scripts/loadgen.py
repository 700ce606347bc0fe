#!/usr/bin/env python3
"""loadgen.py - closed-loop HTTP load with the latencies as measured.

usage: loadgen.py URL PATHS-FILE CLIENTS SECONDS [WARMUP-SECONDS]

CLIENTS keep-alive connections each send a GET, wait for the whole
answer, and send the next at once, taking the paths of PATHS-FILE (one a
line) in turn from a shared counter, as scripts/bench-serve's wrk script
does.  Prints one line:

    RESULT p50=MS p95=MS p99=MS rps=N errors=N n=N

The percentiles are those of the requests' own times, from the first byte
sent to the last byte read.  wrk, by contrast, "corrects" its histogram for
coordinated omission before printing it (stats_correct in its wrk.c): for
every latency L above twice the mean interval between one connection's
requests (I = the run's time divided by the requests per connection), it
adds made-up samples at L - I, L - 2I, ... down to I.  With one client the
interval is the mean latency itself, so each slow request is counted again
and again and the tail it prints is far above the one the client saw; with
32 clients on two CPUs the interval is large and almost nothing is added.
A ratio of the two, as issue 21 asks, mixes a corrected figure with an
uncorrected one.  This client records each request once.

Standard library only (asyncio), so it runs wherever the benchmark does.
It spends about 0.1 ms of CPU per request, which the figures include.
"""
import asyncio
import sys
import time


async def one_client(host, port, paths, state, lat, deadline, record_from):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            now = time.perf_counter()
            if now >= deadline:
                return
            i = state["next"]
            state["next"] = i + 1
            path = paths[i % len(paths)]
            req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (path, host, port)).encode()
            t0 = time.perf_counter()
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = None
            chunked = False
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                k = k.strip().lower()
                if k == b"content-length":
                    length = int(v.strip())
                elif k == b"transfer-encoding" and b"chunked" in v.lower():
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            elif length is not None:
                await reader.readexactly(length)
            t1 = time.perf_counter()
            if t0 >= record_from:
                lat.append(t1 - t0)
                if status != 200:
                    state["errors"] += 1
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        state["errors"] += 1
    finally:
        writer.close()


def pct(sorted_lat, p):
    if not sorted_lat:
        return 0.0
    k = min(len(sorted_lat) - 1, max(0, int(round(p / 100.0 * len(sorted_lat) + 0.5)) - 1))
    return sorted_lat[k] * 1000.0


async def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__.split("\n\n")[1])
    url, pfile, clients, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    warm = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    hostport = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    paths = [l.rstrip("\n") for l in open(pfile, encoding="utf-8") if l.strip()]
    state = {"next": 0, "errors": 0}
    lat = []
    start = time.perf_counter()
    record_from = start + warm
    deadline = record_from + secs
    await asyncio.gather(*(one_client(host, int(port), paths, state, lat, deadline, record_from)
                           for _ in range(clients)))
    lat.sort()
    print("RESULT p50=%.1f p95=%.1f p99=%.1f rps=%.1f errors=%d n=%d" % (
        pct(lat, 50), pct(lat, 95), pct(lat, 99), len(lat) / secs, state["errors"], len(lat)))


if __name__ == "__main__":
    asyncio.run(main())
