#!/usr/bin/env bash
# febrl-truth.sh FILE.csv [SOURCE]... writes, to standard output, the scv
# eval truth (source,record_id,entity_id) of Febrl files by the rec_id
# rule: rec-N-org and rec-N-dup-K are person N. SOURCE defaults to the
# file's name without .csv, as testdata/febrl/*.hcl names its sources.
set -euo pipefail
if [ $# -eq 0 ]; then
	echo "usage: $0 FILE.csv..." >&2
	exit 2
fi
echo "source,record_id,entity_id"
for f in "$@"; do
	src=$(basename "$f" .csv)
	awk -F, -v src="$src" -v file="$f" '
		NR == 1 { next }
		{
			id = $1
			gsub(/^[ \t]+|[ \t\r]+$/, "", id)
			if (!match(id, /^rec-[0-9]+-(org|dup-[0-9]+)$/)) {
				printf "%s:%d: rec_id %s breaks the Febrl rule\n", file, NR, id > "/dev/stderr"
				exit 1
			}
			split(id, part, "-")
			printf "%s,%s,%s\n", src, id, part[2]
		}' "$f"
done
