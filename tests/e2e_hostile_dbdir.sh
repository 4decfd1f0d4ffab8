# e2e_hostile_dbdir.sh — a --db that is not a database folder (issue 38,
# item 1). The documents folder given as --db by mistake used to lose its
# top-level files (a parallel build's swap removed every file of the old
# folder) or, with --jobs 1, get a database written among them. Now every
# mode refuses it with exit 2, naming it, and writes nothing; a database
# folder that also holds someone's files is updated, but never replaced
# by --full; and only names that Xapian or diarium make are ever removed.
. "$(dirname "$0")/lib_e2e.sh"

B=$WORK/beslut
mkdir -p "$B/sub"
cp "$CORPUS"/*.txt "$B/" 2>/dev/null
printf 'Kommunen beslutar om åtgärder.\n' >"$B/a.txt"
printf 'PK\003\004 not really a spreadsheet\n' >"$B/register.xlsx"
printf 'Skolan har vidtagit åtgärder.\n' >"$B/sub/c.txt"

# state FOLDER — every file below FOLDER with its checksum, and its
# siblings that start with its name (no beslut.full-tmp.* may appear).
state() {
    (cd "$1" && find . -print0 | LC_ALL=C sort -z | xargs -0 -n1 sh -c \
        'if [ -f "$0" ]; then echo "$0 $(cksum <"$0")"; else echo "$0/"; fi')
    ls -d "$1".* 2>/dev/null
}
BEFORE=$(state "$B")

for args in "" "--jobs 1" "--jobs 2" "--full" "--full --jobs 1" "--dry-run"; do
    # shellcheck disable=SC2086
    expect_status 2 "$IDX" $args --db "$B" "$B"
    expect_contains stderr "$B is not a diarium database"
    expect_contains stderr "other entries that diarium did not make"
    expect_eq "--db DOCS $args: the folder is exactly as it was" \
        "$BEFORE" "$(state "$B")"
done
expect_status 2 "$IDX" --check --db "$B"
expect_contains stderr "not a diarium database"
expect_eq "--check: nothing created in the folder" "$BEFORE" "$(state "$B")"
# Through DIARIUM_DB as well.
expect_status 2 env DIARIUM_DB="$B" "$IDX" "$B"
expect_eq "DIARIUM_DB=DOCS: the folder is exactly as it was" \
    "$BEFORE" "$(state "$B")"

# A file as --db.
expect_status 2 "$IDX" --db "$B/a.txt" "$B"
expect_contains stderr "not a folder"
expect_eq "--db FILE: nothing changed" "$BEFORE" "$(state "$B")"

# An empty folder is fine: the database is made in it.
DB=$WORK/db
mkdir "$DB"
expect_status 0 "$IDX" --db "$DB" "$B"

# Someone's file in a database folder: nightly runs go on and leave it;
# --full (which replaces the folder) refuses until it is moved out.
printf 'mina anteckningar\n' >"$DB/notes.txt"
printf 'Nytt beslut om särskilt stöd.\n' >"$B/new.txt"
expect_status 0 "$IDX" --db "$DB" "$B"
expect_summary stdout 1 added
expect_eq "a nightly run keeps notes.txt" "mina anteckningar" "$(cat "$DB/notes.txt")"
for j in 1 2; do
    expect_status 2 "$IDX" --full --jobs $j --db "$DB" "$B"
    expect_contains stderr "notes.txt"
    expect_contains stderr "--full"
    expect_eq "--full --jobs $j refused: notes.txt kept" "mina anteckningar" \
        "$(cat "$DB/notes.txt")"
    ls -d "$DB".* >/dev/null 2>&1 && fail "left beside the database: $(ls -d "$DB".*)"
    expect_status 0 "$IDX" --check --db "$DB"
done
mv "$DB/notes.txt" "$WORK/notes.txt"
for j in 1 2; do
    expect_status 0 "$IDX" --full --jobs $j --db "$DB" "$B"
    ls -d "$DB".* >/dev/null 2>&1 && fail "left beside the database: $(ls -d "$DB".*)"
    ok "--full --jobs $j: nothing left beside the database"
done
expect_status 0 "$QRY" --db "$DB" --count "särskilt stöd"
e2e_done
