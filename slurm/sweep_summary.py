#!/usr/bin/env python3
"""Summarizes strata's SLURM results (JSON lines) as the sweep's CSV, one row per
configuration and input: config, planes, bytes, ranks, cpus_per_task, repeats,
seconds_median, seconds_min, seconds_max, gbps (bytes / median seconds), xxh3, input.

usage: sweep_summary.py RESULTS.jsonl [OUT.csv]   (stdout without OUT.csv)

Fails (status 1) when two reads of the same input disagree on their XXH3.
"""
import csv
import json
import math
import statistics
import sys
from collections import defaultdict

CONFIG_ORDER = ["no-cluster", "small-local-cluster", "many-small-worker"]
COLUMNS = ["config", "planes", "bytes", "ranks", "cpus_per_task", "repeats", "seconds_median",
           "seconds_min", "seconds_max", "gbps", "xxh3", "input"]


def yx_planes(result):
    """Number of YX planes: the product of every axis but Y and X."""
    return math.prod(n for axis, n in zip(result["dims"], result["shape"]) if axis not in "YX")


def summarize(results):
    groups = defaultdict(list)
    for result in results:
        key = (result["config"], result["input"], result["ranks"], result["cpus_per_task"])
        groups[key].append(result)
    rows = []
    for (config, input_path, ranks, cpus), runs in groups.items():
        seconds = [run["seconds"] for run in runs]
        median = statistics.median(seconds)
        rows.append({
            "config": config, "planes": yx_planes(runs[0]), "bytes": runs[0]["bytes"],
            "ranks": ranks, "cpus_per_task": cpus, "repeats": len(runs),
            "seconds_median": median, "seconds_min": min(seconds), "seconds_max": max(seconds),
            "gbps": runs[0]["bytes"] / median / 1e9 if median > 0 else float("inf"),
            "xxh3": ",".join(sorted({run.get("xxh3", "") for run in runs})),
            "input": input_path,
        })
    rank = {name: i for i, name in enumerate(CONFIG_ORDER)}
    rows.sort(key=lambda r: (rank.get(r["config"], len(rank)), r["config"], r["planes"],
                             r["input"]))
    return rows


def checksum_conflicts(rows):
    by_input = defaultdict(set)
    for row in rows:
        by_input[row["input"]].update(row["xxh3"].split(","))
    return {path: sums for path, sums in by_input.items() if len(sums) > 1}


def main(argv):
    if len(argv) not in (1, 2):
        sys.exit(__doc__)
    with open(argv[0]) as lines:
        rows = summarize(json.loads(line) for line in lines if line.strip())
    out = open(argv[1], "w", newline="") if len(argv) == 2 else sys.stdout
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    if out is not sys.stdout:
        out.close()
    conflicts = checksum_conflicts(rows)
    for path, sums in conflicts.items():
        print(f"sweep_summary: error: {path}: reads disagree, xxh3 {sorted(sums)}", file=sys.stderr)
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
