#!/usr/bin/env bash
# bench.sh OUT writes scv's performance figures to OUT: every go test
# benchmark (hot paths, with allocations), then whole-pipeline runs of the
# scv binary with wall time and peak RSS from /usr/bin/time -v: Febrl
# dataset3 (sync + train + resolve) and generated data of SIZES customers
# (default "100000 480000"; about 2.1 records per customer, so the larger
# is about 1M records); then the incremental resolution of one changed
# record on a store of INCREMENTAL_CUSTOMERS (default 480000) customers;
# then, when PostgreSQL and MariaDB answer (../shared/SERVICES.md), a full
# pull of a DB_ROWS-row table (default 1000000) into an empty store (read,
# map, normalize, store; resolution apart) and one incremental poll that
# finds 100 changed rows in it.
# SCV names the binary (default: built from ./cmd/scv).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-bench-results.txt}
sizes=${SIZES:-100000 480000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scv=${SCV:-}
if [ -z "$scv" ]; then
	(cd "$root" && go build -o "$tmp/scv" ./cmd/scv)
	scv="$tmp/scv"
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench.sh needs GNU time at /usr/bin/time (Debian package: time)" >&2
	exit 1
fi

# timed LABEL CMD... runs CMD and appends its wall time and peak RSS.
timed() {
	local label=$1
	shift
	/usr/bin/time -v -o "$tmp/time.txt" "$@" >"$tmp/cmd.txt" 2>&1 || {
		cat "$tmp/cmd.txt" >&2
		return 1
	}
	awk -v label="$label" '
		/Elapsed \(wall clock\)/ { wall = $NF }
		/Maximum resident set size/ { rss = $NF }
		END { printf "%-40s wall %10s  peak RSS %8.1f MiB\n", label, wall, rss / 1024 }' "$tmp/time.txt" | tee -a "$out"
}

{
	echo "# scv benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(go version), $(nproc) cores"
	echo
	echo "## go test -bench (one process per package)"
} >"$out"
(cd "$root" && go test -run '^$' -bench . -benchmem -benchtime 1s ./...) | grep -E '^(Benchmark|pkg:)' | tee -a "$out"

printf '\n## whole pipeline (scv binary)\n' | tee -a "$out"
febrl="$root/../shared/data/febrl/dataset3.csv"
if [ -f "$febrl" ]; then
	rm -rf "$root/testdata/febrl/.scv-data/dataset3"
	timed "febrl dataset3: resolve (sync+train)" "$scv" resolve --config "$root/testdata/febrl/dataset3.hcl" --log-level warn
	rm -rf "$root/testdata/febrl/.scv-data/dataset3-noid"
	timed "febrl dataset3 without id: resolve" "$scv" resolve --config "$root/testdata/febrl/dataset3-noid.hcl" --log-level warn
else
	echo "febrl: skipped, $febrl not found" | tee -a "$out"
fi
for n in $sizes; do
	timed "gen $n customers" "$scv" gen --customers "$n" --out "$tmp/gen$n" --log-level warn
	timed "gen $n: sync (read, normalize, store, resolve)" "$scv" sync --config "$tmp/gen$n/scv.hcl" --log-level warn
	timed "gen $n: full re-resolve (ids kept)" "$scv" resolve --config "$tmp/gen$n/scv.hcl" --export-clusters "$tmp/out.csv" --log-level warn
	"$scv" eval --predicted "$tmp/out.csv" --truth "$tmp/gen$n/truth.csv" --worst 0 | awk -v n="$n" '$1 ~ /^(records|precision|recall|f1)$/ { printf "gen %s: %s %s\n", n, $1, $2 }' | tee -a "$out"
	rm -rf "$tmp/gen$n"
done
printf '\n## incremental resolution of one changed record on a store of about 1M records\n' | tee -a "$out"
(cd "$root" && SCV_BENCH_CUSTOMERS=${INCREMENTAL_CUSTOMERS:-480000} go test -run '^$' -bench IncrementalRecord -benchtime 300x -timeout 60m ./pipeline) | grep -E '^Benchmark' | tee -a "$out"
printf '\n## database pulls of a %s-row table (read, map, normalize, store; no resolution)\n' "${DB_ROWS:-1000000}" | tee -a "$out"
(cd "$root" && SCV_BENCH_ROWS=${DB_ROWS:-1000000} go test -run '^$' -bench DatabasePull -benchtime 1x -timeout 60m ./pipeline) | grep -E '^Benchmark|SKIP' | tee -a "$out"
echo "figures written to $out"
