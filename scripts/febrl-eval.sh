#!/usr/bin/env bash
# febrl-eval.sh [SET...] resolves the Febrl data sets with scv's default
# resolver settings, with and without soc_sec_id, and scores each with
# scv eval against the rec_id truth. SET is dataset1, dataset2, dataset3
# or dataset4 (4a and 4b linked); the default is all of them. The data
# lives in ../shared/data/febrl beside the repository; SCV names the scv
# binary to use (default: built from ./cmd/scv into a temporary folder).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/../shared/data/febrl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scv=${SCV:-}
if [ -z "$scv" ]; then
	(cd "$root" && go build -o "$tmp/scv" ./cmd/scv)
	scv="$tmp/scv"
fi
sets=("$@")
[ ${#sets[@]} -eq 0 ] && sets=(dataset1 dataset2 dataset3 dataset4)
printf '%-14s %-10s %9s %9s %9s %9s\n' "set" "id" "precision" "recall" "f1" "seconds"
for set in "${sets[@]}"; do
	files=("$data/$set.csv")
	[ "$set" = dataset4 ] && files=("$data/dataset4a.csv" "$data/dataset4b.csv")
	"$root/scripts/febrl-truth.sh" "${files[@]}" >"$tmp/$set-truth.csv"
	for variant in "" -noid; do
		cfg="$root/testdata/febrl/$set$variant.hcl"
		rm -rf "$root/testdata/febrl/.scv-data/$set$variant"
		start=$(date +%s%N)
		"$scv" resolve --config "$cfg" --export-clusters "$tmp/out.csv" --log-level error >/dev/null
		end=$(date +%s%N)
		"$scv" eval --predicted "$tmp/out.csv" --truth "$tmp/$set-truth.csv" --worst 3 >"$tmp/eval.txt"
		id=with
		[ -n "$variant" ] && id=without
		awk -v set="$set" -v id="$id" -v secs="$(((end - start) / 1000000))" '
			$1 == "precision" { p = $2 } $1 == "recall" { r = $2 } $1 == "f1" { f = $2 }
			END { printf "%-14s %-10s %9s %9s %9s %9.2f\n", set, id, p, r, f, secs / 1000 }' "$tmp/eval.txt"
		if [ -n "${VERBOSE:-}" ]; then
			cat "$tmp/eval.txt"
		fi
	done
done
