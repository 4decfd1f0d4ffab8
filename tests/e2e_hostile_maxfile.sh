# e2e_hostile_maxfile.sh — the memory a run needs is bounded by a setting
# (issue 38, item 9). A thread needs several times the size of the largest
# file it reads (one 63 MB file took 865 MB); --max-file MB skips and names
# larger files, compressed ones by their size after decompression, so that
# the largest file, and with it the memory, is bounded.
. "$(dirname "$0")/lib_e2e.sh"

D=$WORK/docs
mkdir "$D"
printf 'Beslut om skolan.\n' >"$D/small.txt"
python3 - "$D" <<'EOF' || fail "cannot generate the documents"
import gzip, os, random, sys
d = sys.argv[1]
r = random.Random(3)
w = "skolan eleverna huvudmannen kommunen beslutet åtgärder".split()
text = "\n\n".join(" ".join(r.choice(w) for _ in range(60))
                   for _ in range(3300)).encode()      # about 1.5 MiB
open(os.path.join(d, "big.txt"), "wb").write(text)
with gzip.open(os.path.join(d, "bomb.txt.gz"), "wb") as f:
    f.write(text)                                     # small on disk
EOF

expect_status 2 "$IDX" --db "$WORK/db" --max-file 0 "$D"
expect_contains stderr "--max-file needs a number from 1 to 1024"
expect_status 2 "$IDX" --db "$WORK/db" --max-file 1025 "$D"

for jobs in 1 2; do
    rm -rf "$WORK/db"
    expect_status 1 "$IDX" --db "$WORK/db" --jobs $jobs --max-file 1 "$D"
    expect_summary stdout 1 added
    expect_summary stdout 2 failed
    expect_match stderr "skipped .*/big\.txt: file is [0-9]+ bytes, larger than the limit of 1048576 \(--max-file\)"
    expect_match stderr "skipped .*/bomb\.txt\.gz: larger than the limit of 1048576 bytes \(--max-file\)"
done
# A nightly run with a larger limit reads them; the default (64) too.
expect_status 0 "$IDX" --db "$WORK/db" --max-file 2 "$D"
expect_summary stdout 2 added
rm -rf "$WORK/db"
expect_status 0 "$IDX" --db "$WORK/db" "$D"
expect_summary stdout 3 added
e2e_done
