#!/usr/bin/env python3
"""serve_check.py — requests to a running diarium-serve, for e2e_serve.sh.

  serve_check.py PORT QUERY_PROGRAM DB DOCS   the checks below
  serve_check.py --burst PORT PID             requests from 4 threads, a
                                              SIGTERM to PID in the middle
  serve_check.py --load PORT WHILE_FILE READY_FILE Q...
                                              4 threads query the API and
                                              the page while WHILE_FILE
                                              exists (at least 20, at most
                                              2000 each; READY_FILE made
                                              once they run); every answer
                                              200 with results

Prints "ok N - what" per check and "N passed, M failed"; exits 1 when a
check failed.
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

PASSED = 0
FAILED = 0


def check(cond, what, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print("ok %d - %s" % (PASSED, what))
    else:
        FAILED += 1
        print("FAIL - %s %s" % (what, str(detail)[:600]))


def request(port, path, method="GET", host=None, headers=None, body=None):
    """(status, headers as a lower-case dict, body bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    if host is not False:
        c.putheader("Host", host or "127.0.0.1:%d" % port)
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, data


def q(s):
    return urllib.parse.quote(s, safe="")


def cli_json(prog, db, query, *args):
    out = subprocess.run([prog, "--db", db, "--format", "json"] + list(args)
                         + [query], capture_output=True, check=True).stdout
    return [json.loads(line) for line in out.decode().splitlines()]


def common_headers(h, what):
    check(h.get("x-content-type-options") == "nosniff", what + ": nosniff", h)
    check("default-src 'none'" in h.get("content-security-policy", ""),
          what + ": a Content-Security-Policy", h)
    check(not any(k.startswith("access-control-") for k in h),
          what + ": no CORS header", h)


def main(port, prog, db, docs):
    port = int(port)
    qtext = "kompensatoriska åtgärder"

    # --- the API against diarium-query's own JSON
    st, h, b = request(port, "/api/search?q=%s&limit=3" % q(qtext))
    check(st == 200, "api: 200", (st, b))
    check(h.get("content-type", "").startswith("application/json"),
          "api: application/json", h)
    common_headers(h, "api")
    d = json.loads(b)
    check(set(d) >= {"query", "total", "results", "facets", "suggestion"},
          "api: the keys of the contract", list(d))
    check(d["query"] == qtext, "api: the query echoed", d["query"])
    cli = cli_json(prog, db, qtext, "--limit", "3")
    check(len(cli) == 3 and d["results"] == cli,
          "api: results are exactly diarium-query --format json's",
          (d["results"][:1], cli[:1]))
    st, h, b = request(port, "/api/search?q=%s&limit=4&per_document=1"
                       % q(qtext))
    cli = cli_json(prog, db, qtext, "--limit", "4", "--per-document")
    check(json.loads(b)["results"] == cli,
          "api: per_document=1 is diarium-query --per-document", b[:300])
    # Paging: offset 2, limit 2 = ranks 3 and 4 of limit 4.
    st, h, b = request(port, "/api/search?q=%s&limit=2&offset=2" % q(qtext))
    cli = cli_json(prog, db, qtext, "--limit", "4")
    page = json.loads(b)["results"]
    check(page == cli[2:4], "api: offset 2 limit 2 = ranks 3-4",
          ([(x["rank"], x["doc"]) for x in page],
           [(x["rank"], x["doc"]) for x in cli]))
    st, h, b = request(port, "/api/search?q=%s&facets=%s" % (
        q(qtext), q("kommun,år,typ,utfall,myndighet")))
    f = json.loads(b)["facets"]
    check(st == 200 and f and f["documents"] > 0 and f["kommun"]
          and all("value" in v and "count" in v for v in f["kommun"]),
          "api: facets counted", f)
    st, h, b = request(port, "/api/search?q=kompensatorska")
    d = json.loads(b)
    check(d["suggestion"] == "kompensatoriska", "api: Menade du",
          d.get("suggestion"))
    st, h, b = request(port, "/api/search?q=%s&explain=1" % q("åtgärder"))
    d = json.loads(b)
    check(d.get("explain") and d["explain"][0]["word"] == "åtgärder"
          and d["explain"][0]["variants"], "api: explain on demand",
          d.get("explain"))

    # --- errors
    st, h, b = request(port, "/api/search?q=%s" % q('elev "unclosed'))
    d = json.loads(b)
    check(st == 400 and "error" in d and d.get("position") == 5,
          "api: syntax error 400 with its position", (st, d))
    st, h, b = request(port, "/api/search?q=%s" % q("a (b"))
    check(st == 400 and json.loads(b).get("position") == 2,
          "api: unclosed parenthesis at 2", b)
    st, h, b = request(port, "/api/search?q=x&facets=color")
    check(st == 400 and "unknown facet" in json.loads(b)["error"],
          "api: unknown facet is 400", b)
    for bad in ("limit=101", "limit=-1", "limit=abc", "offset=1001",
                "per_document=2"):
        st, h, b = request(port, "/api/search?q=x&" + bad)
        check(st == 400 and "error" in json.loads(b),
              "api: %s refused" % bad, (st, b))
    st, h, b = request(port, "/api/search")
    check(st == 400, "api: no q is 400", (st, b))
    st, h, b = request(port, "/api/search?q=" + "a" * 1001)
    check(st == 400 and "1000" in json.loads(b)["error"],
          "api: a query over 1000 bytes is refused", (st, b[:200]))
    st, h, b = request(port, "/api/search?q=abc%FFdef")
    d = json.loads(b)
    check(st == 400 and d.get("position") == 3, "api: invalid UTF-8 at 3",
          (st, d))
    st, h, b = request(port, "/api/search?q=a%00b")
    check(st == 400, "api: a NUL byte is refused", (st, b))
    st, h, b = request(port, "/api/search?q=" + "(" * 5000 + "x")
    check(st == 400, "api: nesting past the parser's limit is 400",
          (st, b[:200]))

    # query/'s cost limits (dq_bound.h) hold for the server too.
    many = " OR ".join("%s%s*" % (c, c) for c in "abcdefghijklmnopq")
    st, h, b = request(port, "/api/search?q=" + q(many))
    d = json.loads(b)
    check(st == 400 and "position" in d, "api: a query past the prefix "
          "limit is 400 with a position", (st, d))

    # --- methods, Host, paths
    for m in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        st, h, b = request(port, "/api/search?q=x", method=m, body=b"x=1",
                           headers={"Origin": "http://evil.example"})
        check(st == 405 and h.get("allow") == "GET, HEAD"
              and "access-control-allow-origin" not in h,
              "%s is 405 with Allow: GET, HEAD" % m, (st, h))
    st, h, b = request(port, "/api/search?q=x", host="evil.example")
    check(st == 421 and b"results" not in b, "a foreign Host is refused",
          (st, b))
    st, h, b = request(port, "/", host="evil.example:%d" % port)
    check(st == 421, "a foreign Host with our port is refused", st)
    st, h, b = request(port, "/api/search?q=x", host=False)
    check(st in (400, 421), "no Host header is refused", st)
    st, h, b = request(port, "/api/search?q=elev", host="localhost:%d" % port)
    check(st == 200, "Host localhost:PORT is answered", st)
    for path in ("/../../../etc/passwd", "/static/../../../etc/passwd",
                 "/%2F..%2F..%2Fetc%2Fpasswd", "/static/%2E%2E%2F%2E%2E%2Fetc"
                 "%2Fpasswd", "/..%2f..%2fsecret.txt", "//etc/passwd",
                 "/fil/../../secret.txt", "/api/search/../../secret.txt"):
        st, h, b = request(port, path)
        check(st in (400, 404) and b"root:" not in b and b"secret" not in b,
              "path %s is not served" % path, (st, b[:100]))
    for doc in ("../secret.txt", "sub/../../secret.txt", "/etc/passwd",
                "%2Fetc%2Fpasswd", "..%2Fsecret.txt", ".hidden.txt",
                "sub/link.txt", "missing.txt", "docs/" + os.listdir(docs)[0]):
        st, h, b = request(port, "/fil?doc=" + q(urllib.parse.unquote(doc)))
        check(st == 404 and b"secret" not in b and b"root:" not in b,
              "/fil?doc=%s is 404" % doc, (st, b[:100]))
    name = sorted(n for n in os.listdir(docs)
                  if n.endswith(".txt") and not n.startswith("."))[0]
    st, h, b = request(port, "/fil?doc=" + q(name))
    with open(os.path.join(docs, name), "rb") as fh:
        want = fh.read()
    check(st == 200 and b == want and h["content-type"].startswith(
        "text/plain"), "/fil serves an indexed file byte for byte", (st, h))
    common_headers(h, "/fil")
    st, h, b = request(port, "/fil?doc=" + q("sub/markup.txt"))
    check(st == 200 and h["content-type"].startswith("text/plain")
          and "sandbox" in h.get("content-security-policy", ""),
          "/fil: markup in a file is served as sandboxed text", h)
    st, h, b = request(port, "/api/search?q=" + "x" * 100000)
    check(st in (400, 413, 414, 431), "a 100 KB URL is refused", st)

    # --- the page
    st, h, b = request(port, "/")
    check(st == 200 and b'lang="sv"' in b and b"<form" in b,
          "page: the front page", (st, b[:200]))
    check("script-src 'self'" in h.get("content-security-policy", ""),
          "page: CSP allows only our own script", h)
    common_headers(h, "page")
    st, h, b = request(port, "/?q=" + q(qtext))
    page = b.decode()
    check(st == 200 and "<mark>" in page and "Filtrera" in page,
          "page: results with highlights and facets", page[:300])
    check("/rapport?format=html&amp;q=" in page, "page: report links", "")
    check("http://" not in page.replace('http-equiv', '')
          and "https://" not in page, "page: nothing from the network", "")
    st, h, b = request(port, "/?q=" + q('elev "unclosed'))
    page = b.decode()
    check(st == 400 and "Vid tecken 6" in page and 'class="at"' in page
          and 'aria-invalid="true"' in page,
          "page: syntax error shown at its position", page[-1500:])
    check("citattecknet stängs aldrig" in page and "never closed" not in page,
          "page: the syntax error in Swedish", page[-1500:])
    st, h, b = request(port, "/api/search?q=" + q('elev "unclosed'))
    check(st == 400 and "never closed" in json.loads(b)["error"],
          "api: the syntax error in English", b)
    st, h, b = request(port, "/?q=kompensatorska")
    check("Menade du" in b.decode(), "page: Menade du", "")
    st, h, b = request(port, "/?q=%s&explain=1" % q("åtgärder"))
    check("Stavningar som matchade" in b.decode(),
          "page: spellings on demand", "")
    # Markup in documents and queries is escaped.
    st, h, b = request(port, "/?q=%s&per_document=0" % q("elevhälsoplanen"))
    page = b.decode()
    check("sub/markup.txt" in page, "page: the markup document is found",
          page[-2000:])
    check("<script>alert" not in page and "<img src=x" not in page,
          "page: markup from a document is escaped", "")
    check("&lt;img src=x onerror=alert(1)&gt;" in page
          or "&lt;script&gt;" in page or "&quot;citerar&quot;" in page,
          "page: markup shown as text", "")
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    for path in ("/?q=" + q(evil), "/?q=" + q("elev " + evil),
                 "/?q=" + q("kommun:\"<b>x</b>\"")):
        st, h, b = request(port, path)
        page = b.decode()
        check("<script>alert" not in page and "<img src=x" not in page
              and "<b>x" not in page, "page: markup in the query escaped",
              page[-800:])
    st, h, b = request(port, "/?q=" + q(evil), method="HEAD")
    check(st in (200, 400) and b == b"", "HEAD: headers only", (st, b[:50]))

    # --- the report
    st, h, b = request(port, "/rapport?format=html&q=" + q(qtext))
    check(st == 200 and h["content-type"].startswith("text/html")
          and b"<svg" in b and b"<mark>" in b and b"<script" not in b,
          "report: HTML", (st, b[:200]))
    st, h, b = request(port, "/rapport?format=md&q=" + q(qtext))
    check(st == 200 and "attachment" in h.get("content-disposition", "")
          and qtext.encode() in b, "report: Markdown download", (st, h))
    st, h, b = request(port, "/rapport?format=csv&q=" + q(qtext))
    check(st == 200 and b.startswith(b"\xef\xbb\xbf") and b";" in b,
          "report: CSV download", (st, b[:80]))
    st, h, b = request(port, "/rapport?format=pdf&q=x")
    check(st == 400, "report: unknown format is 400", st)
    st, h, b = request(port, "/rapport?q=" + q("a (b"))
    check(st == 400 and "tecken 3" in b.decode()
          and "')' saknas" in b.decode(),
          "report: syntax error with its position, in Swedish", b)

    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


def burst(port, pid):
    """Four threads request the page until the server stops; SIGTERM is
    sent after 20 answers. Every answer that arrives must be whole."""
    port, pid = int(port), int(pid)
    lock = threading.Lock()
    state = {"answers": 0, "bad": [], "sent": False}

    def worker(i):
        while True:
            try:
                st, h, b = request(port, "/?q=%s&offset=%d" % (
                    q("kompensatoriska åtgärder"), i % 3))
            except (ConnectionError, http.client.HTTPException, OSError):
                return  # stopped listening: expected after SIGTERM
            with lock:
                whole = (st == 200 and b.rstrip().endswith(b"</html>")
                         and len(b) == int(h.get("content-length", -1)))
                if not whole:
                    state["bad"].append((st, len(b), b[-60:]))
                state["answers"] += 1
                if state["answers"] >= 20 and not state["sent"]:
                    state["sent"] = True
                    os.kill(pid, signal.SIGTERM)
            if state["answers"] > 5000:
                return

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    check(state["sent"], "SIGTERM sent during the burst", state["answers"])
    check(not state["bad"], "every answer whole (%d answers)"
          % state["answers"], state["bad"][:3])
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


def load(port, while_file, ready_file, queries):
    port = int(port)
    lock = threading.Lock()
    state = {"answers": 0, "bad": []}

    def worker(k):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = 0
        while (i < 20 or os.path.exists(while_file)) and i < 2000:
            qq = queries[(k + i) % len(queries)]
            page = i % 4 == 3
            path = ("/?q=%s" if page else "/api/search?q=%s&limit=5") % q(qq)
            try:
                c.putrequest("GET", path, skip_host=True)
                c.putheader("Host", "127.0.0.1:%d" % port)
                c.endheaders()
                r = c.getresponse()
                body = r.read()
                good = r.status == 200 and (
                    b'class="hit"' in body if page
                    else bool(json.loads(body)["results"]))
            except Exception as e:  # noqa: BLE001 — every failure counts
                good, body = False, str(e).encode()
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                state["answers"] += 1
                if state["answers"] == 4:
                    open(ready_file, "w").close()
                if not good:
                    state["bad"].append((path, body[:200]))
            i += 1
        c.close()

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(state["answers"] > 0, "requests made during indexing",
          state["answers"])
    check(not state["bad"], "every answer 200 with results (%d answers)"
          % state["answers"], state["bad"][:3])
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    if sys.argv[1] == "--load":
        sys.exit(load(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
    if sys.argv[1] == "--burst":
        sys.exit(burst(*sys.argv[2:4]))
    sys.exit(main(*sys.argv[1:5]))
