# e2e_hostile_fdlimit.sh — a low limit on open files (issue 38, item 9).
# With `ulimit -n 64`, a parallel build read 64 files ahead besides its
# shards' tables: files failed with "Too many open files" and the build
# ended in exit 3 when a shard could not write its version file. Now the
# read-ahead (and the number of threads) is sized to RLIMIT_NOFILE.
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
python3 - "$D" <<'EOF' || fail "cannot generate the documents"
import os, random, sys
d = sys.argv[1]
r = random.Random(64)
w = ("skolan eleverna huvudmannen kommunen beslutet åtgärder "
     "undervisningen betygen tryggheten studieron rektorn").split()
for k in range(4):
    os.makedirs(os.path.join(d, "m%d" % k))
    for i in range(300):
        with open(os.path.join(d, "m%d" % k, "d%04d.txt" % i), "w") as f:
            f.write(" ".join(r.choice(w) for _ in range(50)) + "\n\n" +
                    " ".join(r.choice(w) for _ in range(50)) + "\n")
EOF

# limited N ARGS... — diarium-index with at most N open files.
limited() {
    local n=$1
    shift
    run bash -c 'ulimit -n "$0" && exec "$@"' "$n" "$IDX" "$@"
    e2e_signal_check
}

for case in "64" "64 --jobs 4" "32"; do
    lim=${case%% *}
    jobs=${case#"$lim"}
    rm -rf "$WORK/db"
    # shellcheck disable=SC2086
    limited $lim --db "$WORK/db" $jobs "$D"
    [ "$RC" -eq 0 ] || fail "ulimit -n $lim, first build$jobs: exit $RC"
    expect_not_contains stderr "Too many open files"
    expect_summary stdout 1200 added
done
# A nightly run that changes a quarter of the files, and --full.
for f in "$D"/m0/*.txt; do echo "ändrad" >>"$f"; done
limited 64 --db "$WORK/db" "$D"
[ "$RC" -eq 0 ] || fail "ulimit -n 64, nightly run: exit $RC"
expect_summary stdout 300 updated
limited 64 --db "$WORK/db" --full "$D"
[ "$RC" -eq 0 ] || fail "ulimit -n 64, --full: exit $RC"
expect_not_contains stderr "Too many open files"
expect_summary stdout 1200 added
expect_status 0 "$IDX" --db "$WORK/db" --check
e2e_done
