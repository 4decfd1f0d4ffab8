#!/usr/bin/env python3
"""serve_browser.py — drives diarium-serve's page in headless Chromium over
the Chrome DevTools Protocol (--remote-debugging-pipe; standard library
only), for e2e_serve_browser.sh.

  serve_browser.py BASE_URL SHOT_DIR

Searches by typing into the box, clicks a facet, switches to passages,
pages, presses "/" and opens the report, checking the page after each step
and taking a screenshot (SHOT_DIR/1-search.png ...). Any console error
(a Content-Security-Policy violation is one) fails. Exit 77 when Chromium
cannot be started; prints "N passed, M failed".
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

PASSED = 0
FAILED = 0


def check(cond, what, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
        print("ok %d - %s" % (PASSED, what))
    else:
        FAILED += 1
        print("FAIL - %s %s" % (what, str(detail)[:500]))


class Browser:
    def __init__(self, exe, profile):
        r_to_chrome, w_to_chrome = os.pipe()
        r_from_chrome, w_from_chrome = os.pipe()
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--user-data-dir=" + profile,
                "--remote-debugging-pipe", "--window-size=1200,1000",
                "about:blank"]

        def fds():  # the pipe ends Chromium expects on fds 3 and 4
            os.dup2(r_to_chrome, 3)
            os.dup2(w_from_chrome, 4)

        self.p = subprocess.Popen(args, preexec_fn=fds, pass_fds=(),
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL,
                                  close_fds=False)
        os.close(r_to_chrome)
        os.close(w_from_chrome)
        self.w = w_to_chrome
        self.r = r_from_chrome
        self.buf = b""
        self.id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        self.id += 1
        msg = {"id": self.id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        want = self.id
        while True:
            m = self.read(30)
            if m.get("id") == want:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def read(self, timeout):
        import select
        end = time.time() + timeout
        while b"\0" not in self.buf:
            left = end - time.time()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def wait_event(self, name, timeout=30):
        for i, m in enumerate(self.events):
            if m.get("method") == name:
                del self.events[: i + 1]
                return m
        end = time.time() + timeout
        while time.time() < end:
            m = self.read(end - time.time())
            if m.get("method") == name:
                return m
            self.events.append(m)
        raise TimeoutError(name)

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def main(base, shots):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("skipped: chromium is not installed (Debian: chromium)")
        return 77
    profile = tempfile.mkdtemp(prefix="diarium-chromium-")
    try:
        b = Browser(exe, profile)
        try:
            b.send("Browser.getVersion", session=False)
        except Exception as e:
            print("skipped: chromium cannot start here (%s)" % e)
            b.close()
            return 77
        try:
            return drive(b, base, shots)
        finally:
            b.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def drive(b, base, shots):
    t = b.send("Target.createTarget", {"url": "about:blank"}, session=False)
    s = b.send("Target.attachToTarget", {"targetId": t["targetId"],
                                         "flatten": True}, session=False)
    b.session = s["sessionId"]
    b.send("Page.enable")
    b.send("Runtime.enable")
    b.send("Log.enable")

    def js(expr):
        r = b.send("Runtime.evaluate", {"expression": expr,
                                        "returnByValue": True})
        return r.get("result", {}).get("value")

    def loaded(action):
        b.events = [m for m in b.events
                    if m.get("method") != "Page.loadEventFired"]
        action()
        b.wait_event("Page.loadEventFired")

    def shot(name):
        r = b.send("Page.captureScreenshot", {"format": "png",
                                              "captureBeyondViewport": True})
        with open(os.path.join(shots, name), "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def key(k, code, text=None, vk=0):
        for typ in ("keyDown", "keyUp"):
            p = {"type": typ, "key": k, "code": code,
                 "windowsVirtualKeyCode": vk}
            if text and typ == "keyDown":
                p["text"] = text
            b.send("Input.dispatchKeyEvent", p)

    def click(selector):
        box = js("(function(){var e=document.querySelector(%s);"
                 "if(!e)return null;e.scrollIntoView({block:'center'});"
                 "var r=e.getBoundingClientRect();"
                 "return [r.x+r.width/2,r.y+r.height/2];})()"
                 % json.dumps(selector))
        if not box:
            raise RuntimeError("nothing to click at " + selector)
        for typ in ("mousePressed", "mouseReleased"):
            b.send("Input.dispatchMouseEvent", {"type": typ, "x": box[0],
                                                "y": box[1], "button": "left",
                                                "clickCount": 1})

    # 1. The front page; type a query and press Enter.
    loaded(lambda: b.send("Page.navigate", {"url": base}))
    check(js("document.documentElement.lang") == "sv", "front page in Swedish")
    check(js("document.activeElement && document.activeElement.id") == "q",
          "the search box has the focus")
    b.send("Input.insertText", {"text": "kompensatoriska åtgärder"})
    loaded(lambda: key("Enter", "Enter", "\r", 13))
    n = js("document.querySelectorAll('li.hit').length")
    check(n and n > 0, "typing a query and Enter shows results", n)
    check(js("document.querySelectorAll('li.hit mark').length") > 0,
          "matched words are marked")
    shot("1-search.png")

    # 2. Click the first kommun facet: the query gets the filter and every
    # result is from that kommun.
    name = js("document.querySelector('.facet li a').firstChild.textContent"
              ".trim()")
    loaded(lambda: click(".facet li a"))
    q = js("document.getElementById('q').value")
    check(q and ('kommun:"%s"' % name) in q, "a facet click filters the query",
          (name, q))
    facts = js("Array.from(document.querySelectorAll('li.hit .facts'))"
               ".map(function(e){return e.textContent})")
    check(facts and all(name in f for f in facts),
          "every result is from the clicked kommun", (name, facts))
    check(js("!!document.querySelector('.facet a.active')"),
          "the active filter is marked")
    shot("2-facet.png")

    # 3. Back to the whole query, per passage (the radio button sends the
    # form through the page's script), and to the next page.
    loaded(lambda: click(".facet a.active"))
    check('kommun:' not in js("document.getElementById('q').value"),
          "a second click removes the filter")
    loaded(lambda: click("input[name=per_document][value='0']"))
    check("per_document=0" in js("location.search"),
          "per-passage view chosen", js("location.search"))
    first = js("document.querySelector('li.hit h3').textContent")
    loaded(lambda: click("a[rel=next]"))
    check("offset=10" in js("location.search")
          and js("document.querySelector('ol.hits').start") == 11,
          "the next page starts at result 11", js("location.search"))
    check(js("document.querySelector('li.hit h3').textContent") is not None,
          "the second page has results", first)
    shot("3-page2.png")

    # 4. "/" focuses the search box (the page's script).
    js("document.activeElement.blur()")
    key("/", "Slash", "/", 191)
    check(js("document.activeElement && document.activeElement.id") == "q",
          "'/' focuses the search box")

    # 5. The report.
    loaded(lambda: click(".report a"))
    check("/rapport" in js("location.pathname")
          and js("document.querySelectorAll('svg').length") > 0,
          "the report opens, with its charts", js("location.href"))
    shot("4-report.png")

    # 6. A syntax error is shown at its position.
    loaded(lambda: b.send("Page.navigate",
                          {"url": base + "?q=elev+%22unclosed"}))
    check(js("document.querySelector('#q-fel mark.at') != null")
          and js("document.getElementById('q').getAttribute("
                 "'aria-invalid')") == "true",
          "a syntax error is marked at its place")
    shot("5-error.png")

    # The syntax-error page is a 400 on purpose; nothing else may fail.
    errors = [m for m in b.events if m.get("method") == "Log.entryAdded"
              and m["params"]["entry"]["level"] == "error"
              and "unclosed" not in m["params"]["entry"].get("url", "")]
    errors += [m for m in b.events
               if m.get("method") == "Runtime.exceptionThrown"]
    check(not errors, "no console error or CSP violation",
          [e["params"] for e in errors][:3])
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
