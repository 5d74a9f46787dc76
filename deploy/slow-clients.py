#!/usr/bin/env python3
"""Slow clients against Fuhua behind HAProxy (deploy/haproxy.cfg): a client sending its
request headers a byte a second, and one sending its body a byte a second, are cut off by
the balancer, while an ordinary request still gets its answer; directly against Fuhua
(no balancer) the same client is not cut off, which is why the deployment needs it.

Usage: deploy/slow-clients.py BALANCER_PORT FUHUA_PORT [SLOW_CONNECTIONS]
Exits non-zero when a slow client is not cut off within its whole trickle (60 bytes).
"""
import socket
import sys
import threading
import time

balancer, fuhua = int(sys.argv[1]), int(sys.argv[2])
many = int(sys.argv[3]) if len(sys.argv) > 3 else 50
TRICKLE = 60  # bytes, one a second: longer than the balancer's request deadline


def trickle(port, head, body=b"", per_byte=1.0):
    """Sends `head` at once and `body` a byte at a time (or `head` a byte at a time when
    `body` is empty); returns ('cut', seconds) when the server closed the connection, or
    ('open', seconds) when everything was sent without it doing so."""
    s = socket.create_connection(("127.0.0.1", port))
    start = time.monotonic()
    slow, fast = (head, b"") if not body else (body, head)
    try:
        if fast:
            s.sendall(fast)
        for i in range(len(slow)):
            s.sendall(slow[i : i + 1])
            s.settimeout(per_byte)
            try:
                if s.recv(4096) == b"":
                    return ("cut", time.monotonic() - start)
                # An answer (408 from the balancer) comes before it closes.
                return ("cut", time.monotonic() - start)
            except socket.timeout:
                pass
    except (BrokenPipeError, ConnectionResetError):
        return ("cut", time.monotonic() - start)
    finally:
        s.close()
    return ("open", time.monotonic() - start)


def ordinary(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0]


headers = b"GET / HTTP/1.1\r\nHost: fuhua.test\r\nX-Padding: " + b"a" * TRICKLE + b"\r\n\r\n"
body_head = b"POST /login HTTP/1.1\r\nHost: fuhua.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\n"
body = b"e" * TRICKLE

failures = 0
results = {}


def run(name, port, head, body=b""):
    results[name] = trickle(port, head, body)


# Many slow clients at once on the balancer, plus one of each kind directly on Fuhua.
threads = [threading.Thread(target=run, args=(f"headers-{i}", balancer, headers)) for i in range(many)]
threads += [threading.Thread(target=run, args=("body", balancer, body_head, body))]
threads += [threading.Thread(target=run, args=("direct-headers", fuhua, headers[:20]))]
for t in threads:
    t.start()
time.sleep(2)
answer = ordinary(balancer)
print(f"ordinary request through the balancer meanwhile: {answer.decode(errors='replace')}")
if b" 200 " not in answer:
    failures += 1
for t in threads:
    t.join()

cut = [n for n, (r, _) in results.items() if n.startswith("headers-") and r == "cut"]
slowest = max(s for n, (r, s) in results.items() if n.startswith("headers-"))
print(f"slow headers through the balancer: {len(cut)}/{many} cut off, the last after {slowest:.0f} s")
print(f"slow body through the balancer: {results['body'][0]} after {results['body'][1]:.0f} s")
print(f"slow headers straight to Fuhua: {results['direct-headers'][0]} after {results['direct-headers'][1]:.0f} s")
if len(cut) != many or results["body"][0] != "cut":
    failures += 1
sys.exit(1 if failures else 0)
