# e2e_serve.sh — diarium-serve over HTTP (issue 35): the JSON API against
# diarium-query's own JSON, errors, caps, the page and the report, and
# hostile requests (foreign Host, '..' and encoded '%2F..' paths, huge
# queries, methods other than GET and HEAD, markup in documents and
# queries), the original files, then SIGTERM during a burst of requests.
# The requests are made by tests/serve_check.py (python3's http.client).
. "$(dirname "$0")/lib_e2e.sh"

# The sample corpus plus a document full of markup, indexed from a
# relative folder (so /fil has to resolve it with --files-base).
mkdir -p "$WORK/idx/docs/sub" "$WORK/elsewhere"
cp "$CORPUS"/* "$WORK/idx/docs/"
cat >"$WORK/idx/docs/sub/markup.txt" <<'DOC'
Tjänsteskrivelse om <script>alert("dokument")</script> elevhälsa

Kommunen har granskat elevhälsan. <img src=x onerror=alert(1)> Skolan
"citerar" & skriver 'apostrofer' om elevhälsoplanen.
DOC
printf 'not indexed\n' >"$WORK/idx/docs/.hidden.txt"
printf 'secret outside the folder\n' >"$WORK/idx/secret.txt"
ln -s ../secret.txt "$WORK/idx/docs/sub/link.txt"
(cd "$WORK/idx" && "$IDX" --db "$WORK/db" docs >"$WORK/index.out" 2>&1)
status=$?
[ "$status" -le 1 ] || fail "diarium-index exited $status: $(head -c 500 "$WORK/index.out")"
ok "indexed the corpus (exit $status)"

cd "$WORK/elsewhere" || fail "cd"
serve_start "$WORK/db" --files-base "$WORK/idx" --threads 2
ok "diarium-serve listens on $SRV_URL"

run python3 "$DIARIUM_SOURCE_DIR/tests/serve_check.py" "$SRV_PORT" "$QRY" \
    "$WORK/db" "$WORK/idx/docs"
cat "$OUT"
[ "$RC" -eq 0 ] || fail "serve_check.py found problems (exit $RC): $(grep -v '^ok' "$OUT" | head -20)"
ok "serve_check.py: $(tail -n 1 "$OUT")"

# Still serving after all of that, and no crash in the log.
kill -0 "$SRV_PID" 2>/dev/null || fail "diarium-serve died: $(head -c 500 "$SRV_LOG")"
ok "diarium-serve still runs after the hostile requests"

# SIGTERM while requests are under way: each answer that arrives is whole.
run python3 "$DIARIUM_SOURCE_DIR/tests/serve_check.py" --burst "$SRV_PORT" \
    "$SRV_PID"
[ "$RC" -eq 0 ] || fail "burst during SIGTERM: $(cat "$OUT" "$ERR" | head -20)"
ok "burst during SIGTERM: $(tail -n 1 "$OUT")"
rc=0
wait "$SRV_PID" || rc=$?
[ "$rc" -eq 0 ] || fail "diarium-serve exited $rc after SIGTERM: $(head -c 500 "$SRV_LOG")"
ok "diarium-serve exits 0 on SIGTERM"
trap e2e_cleanup EXIT

# Usage errors.
expect_status 3 "$SRV" --db "$WORK/db" --db "tcp:127.0.0.1:1" \
    --listen 127.0.0.1:0
expect_contains stderr "the remote database tcp:127.0.0.1:1 cannot be reached"
expect_status 2 "$SRV" --db "$WORK/db" --listen nowhere
expect_contains stderr "--listen takes ADDR:PORT"
expect_status 3 "$SRV" --db "$WORK/no-such-db" --listen 127.0.0.1:0
expect_contains stderr "no database"
e2e_done
