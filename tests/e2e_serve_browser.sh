# e2e_serve_browser.sh — diarium-serve's page in a real browser (issue
# 35): headless Chromium, driven over the DevTools protocol by
# tests/serve_browser.py, searches, clicks a facet, pages, opens the
# report and shows a syntax error; screenshots go to
# $DIARIUM_SCREENSHOT_DIR when set (to look at them), else are discarded.
# Skipped (77) when Chromium is not installed or cannot start.
. "$(dirname "$0")/lib_e2e.sh"

command -v chromium >/dev/null 2>&1 || skip "chromium is not installed (Debian: chromium)"
expect_status 0 "$IDX" --db "$WORK/db" "$CORPUS"
serve_start "$WORK/db" --threads 2
SHOTS=${DIARIUM_SCREENSHOT_DIR:-$WORK/shots}
mkdir -p "$SHOTS"
E2E_TIMEOUT=120 run python3 "$DIARIUM_SOURCE_DIR/tests/serve_browser.py" \
    "$SRV_URL" "$SHOTS"
cat "$OUT"
[ "$RC" -eq 77 ] && skip "$(grep '^skipped' "$OUT" | head -1)"
[ "$RC" -eq 0 ] || fail "the browser test failed: $(grep -v '^ok' "$OUT" "$ERR" | head -20)"
ok "browser: $(tail -n 1 "$OUT")"
for f in 1-search 2-facet 3-page2 4-report 5-error; do
    [ -s "$SHOTS/$f.png" ] || fail "no screenshot $f.png"
done
ok "five screenshots taken"
serve_stop
e2e_done
