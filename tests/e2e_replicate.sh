#!/usr/bin/env bash
# e2e_replicate.sh — a read replica of a diarium database kept by Xapian's
# replication (xapian-replicate-server / xapian-replicate, issue 36): with
# XAPIAN_MAX_CHANGESETS set, diarium-index writes changesets on commit; the
# replica answers as the master does after the first copy, after a nightly
# update (applied as a changeset) and after a --full rebuild (a new
# database, copied whole). Loopback only.
. "$(dirname "$0")/lib_e2e.sh"

for p in xapian-replicate xapian-replicate-server; do
    command -v "$p" >/dev/null 2>&1 ||
        fail "$p is missing (Debian xapian-tools, scripts/setup.sh)"
done

SRVPG=""
rep_cleanup() {
    [ -n "$SRVPG" ] && kill -9 -- "-$SRVPG" 2>/dev/null
    e2e_cleanup
}
trap rep_cleanup EXIT

# The master: the corpus's first six files, then all but the last three
# (nightly), then without the first two (--full).
mkdir -p "$WORK/master" "$WORK/docs"
mapfile -t FILES < <(find "$CORPUS" -maxdepth 1 -type f | LC_ALL=C sort)
[ "${#FILES[@]}" -ge 12 ] || fail "the corpus has ${#FILES[@]} files, 12 wanted"
cp "${FILES[@]:0:6}" "$WORK/docs/"
export XAPIAN_MAX_CHANGESETS=10
MASTER=$WORK/master/beslut
REPLICA=$WORK/replica
expect_status 0 "$IDX" --quiet --db "$MASTER" "$WORK/docs"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid xapian-replicate-server -I 127.0.0.1 -p "$PORT" "$WORK/master" \
    >"$WORK/server.log" 2>&1 </dev/null &
SRVPG=$!
disown "$SRVPG"

# replicate LABEL ERE — one pass of the client (no wait for readers: none
# is open); its report ("Update complete: 1 copies, 0 changesets") matches
# ERE.
replicate() {
    local i
    for i in $(seq 50); do # (until the server listens)
        run xapian-replicate -h 127.0.0.1 -p "$PORT" -m beslut -o -r 0 -v \
            "$REPLICA"
        [ "$RC" -eq 0 ] && break
        sleep 0.1
    done
    [ "$RC" -eq 0 ] || fail "xapian-replicate failed"
    grep -qE "$2" "$ERR" "$OUT" ||
        fail "xapian-replicate ($1) did not say '$2'"
    ok "replicated: $1 ($2)"
}

# same — the replica gives the master's results and counts.
same() {
    printf '%s\n' skola 'kvalitetsgranskning' 'elevhälsa' 'kommun:Umeå' \
        >"$WORK/queries"
    expect_status 0 "$QRY" --db "$MASTER" --format json --limit 100 \
        --queries "$WORK/queries"
    local m
    m=$(cat "$OUT")
    [ -n "$m" ] || fail "no results from the master"
    expect_status 0 "$QRY" --db "$REPLICA" --format json --limit 100 \
        --queries "$WORK/queries"
    expect_eq "replica = master ($1)" "$m" "$(cat "$OUT")"
    expect_status 0 "$QRY" --db "$MASTER" --count --format csv \
        --queries "$WORK/queries"
    m=$(cat "$OUT")
    expect_status 0 "$QRY" --db "$REPLICA" --count --format csv \
        --queries "$WORK/queries"
    expect_eq "replica counts = master's ($1)" "$m" "$(cat "$OUT")"
}

replicate "first copy" "1 copies, 0 changesets"
same "first copy"

# Nightly: six more documents, committed with a changeset.
cp "${FILES[@]:6:6}" "$WORK/docs/"
expect_status 0 "$IDX" --quiet --db "$MASTER" "$WORK/docs"
ls "$MASTER" | grep -q '^changes' ||
    fail "diarium-index wrote no changeset (XAPIAN_MAX_CHANGESETS)"
ok "the nightly run wrote a changeset"
replicate "nightly update" " 0 copies, [1-9][0-9]* changesets"
same "nightly update"
NEW=$(basename "${FILES[11]}")
expect_status 0 "$QRY" --db "$REPLICA" --format json --limit 100 \
    "doc:\"$NEW\""
expect_contains stdout "\"doc\":\"$NEW\""

# --full without the first two: a new database, copied whole.
rm "$WORK/docs/$(basename "${FILES[0]}")" "$WORK/docs/$(basename "${FILES[1]}")"
expect_status 0 "$IDX" --quiet --full --db "$MASTER" "$WORK/docs"
replicate "after --full" " 1 copies"
same "after --full"
GONE=$(basename "${FILES[0]}")
expect_status 0 "$QRY" --db "$REPLICA" --format json --limit 100 \
    "doc:\"$GONE\""
expect_not_contains stdout "\"doc\":\"$GONE\""

e2e_done
