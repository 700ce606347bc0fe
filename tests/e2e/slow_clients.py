#!/usr/bin/env python3
"""Slow clients for the serve tests: open connections that send a request
header one byte at a time, then report how many the server refused.

usage: slow_clients.py PORT SOURCES PER_SOURCE INTERVAL SECONDS
  SOURCES     comma-separated loopback source addresses (127.0.0.2,...)
  PER_SOURCE  connections from each
  INTERVAL    seconds between two bytes of a connection
  SECONDS     how long to keep trickling
Prints "opened N refused R closed C" when done, where refused counts the
connections closed within the first three seconds (never answered) and closed
those the server closed later.  Loopback only."""
import socket
import sys
import time

port, sources, per = int(sys.argv[1]), sys.argv[2].split(","), int(sys.argv[3])
interval, seconds = float(sys.argv[4]), float(sys.argv[5])
socks = []
for src in sources:
    for _ in range(per):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((src, 0))
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            s.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            s.close()
            s = None
        socks.append(s)


def dead(s):
    """True when the server closed s (EOF or reset)."""
    s.setblocking(False)
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


# the server refuses at once, but on a busy machine "at once" can take a
# while to reach the backlog: three seconds, well inside the 10 s header
# deadline that cuts the connections it holds
time.sleep(3)
refused = 0
for i, s in enumerate(socks):
    if s is None or dead(s):
        refused += 1
        if s is not None:
            s.close()
        socks[i] = None
print("refused", refused, flush=True)
closed = 0
end = time.time() + seconds
while time.time() < end and any(socks):
    for i, s in enumerate(socks):
        if s is None:
            continue
        try:
            s.send(b"X")
        except OSError:
            closed += 1
            s.close()
            socks[i] = None
    time.sleep(interval)
    for i, s in enumerate(socks):
        if s is not None and dead(s):
            closed += 1
            s.close()
            socks[i] = None
print("opened", len(socks), "refused", refused, "closed", closed,
      "open", sum(1 for s in socks if s is not None), flush=True)
