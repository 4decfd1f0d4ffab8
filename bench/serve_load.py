#!/usr/bin/env python3
"""serve_load.py — a bounded load on diarium-serve over loopback, for
bench/serve-load.sh.

  serve_load.py PORT QUERIES CLIENTS REQUESTS OUT.json [WHILE_FILE]

CLIENTS threads, each with its own keep-alive connection, send REQUESTS
requests each to /api/search?q=…&limit=10 (the queries of QUERIES in
turn, each client starting at another one) and time each one from sending
to the last byte of the answer. An error is an answer other than 200, a
connection failure, a body that is not JSON, or no result for a query that
has results (the indexer never removes the documents these queries find).
With WHILE_FILE, a client goes on past REQUESTS while that file exists (an
indexing run under way), up to 20 x REQUESTS, so that the load covers the
whole run, its last commit and a --full swap. Writes {"latencies_ms": [...], "errors": [...], "requests": N,
"seconds": S} to OUT.json.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def main(port, qfile, clients, requests, out, while_file=None):
    port, clients, requests = int(port), int(clients), int(requests)
    queries = [l.strip() for l in open(qfile, encoding="utf-8")
               if l.strip() and not l.startswith("#")]
    lat, errors, sent = [], [], [0]
    lock = threading.Lock()

    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], []
        i = 0
        while i < requests or (while_file and os.path.exists(while_file)
                               and i < 20 * requests):
            q = queries[(k * 7 + i) % len(queries)]
            path = "/api/search?limit=10&q=" + urllib.parse.quote(q, safe="")
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read()
                dt = time.perf_counter() - t0
                if r.status != 200:
                    bad.append("%d for %s: %s" % (r.status, q, body[:200]))
                elif not json.loads(body)["results"]:
                    bad.append("no results for %s" % q)
                mine.append(dt * 1000)
            except Exception as e:  # noqa: BLE001 — every failure counts
                bad.append("%s for %s" % (e, q))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port,
                                                  timeout=60)
            i += 1
        conn.close()
        with lock:
            sent[0] += i
            lat.extend(mine)
            errors.extend(bad)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    secs = time.perf_counter() - t0
    json.dump({"latencies_ms": lat, "errors": errors,
               "requests": sent[0], "seconds": secs},
              open(out, "w"))
    print("%d requests in %.1f s, %d errors" % (sent[0], secs,
                                                len(errors)))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
