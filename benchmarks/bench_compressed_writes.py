#!/usr/bin/python3
"""Compressed conversions, two strata binaries interleaved in one run: `.h5 --compress gzip` and
`.ome.tif --compress deflate` from the uncompressed 500 x 640 x 640 uint16 stack at 1 and 2
ranks. Interleaving (before, after, before, after, ...) shares the machine's noise out evenly
between the two; prints median, min and max seconds, MB/s of the 410 MB array, output size and
peak RSS per rank.

usage: bench_compressed_writes.py --before OLD/strata --after NEW/strata STACK.ome.tif
                                  [--repeats 3] [--workdir DIR] [-- extra read options]
"""
import argparse
import json
import os
import statistics
import subprocess

from bench_read import MPI_ENV

CASES = [(".h5", "gzip"), (".ome.tif", "deflate")]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("stack", help="benchmarks/make_stack.py output (uncompressed)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--ranks", default="1,2")
    p.add_argument("--workdir", default="build/bench")
    p.add_argument("extra", nargs="*")
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    runs = {}
    for _ in range(args.repeats):
        for suffix, codec in CASES:
            for ranks in (int(r) for r in args.ranks.split(",")):
                for name in ("before", "after"):
                    output = os.path.join(args.workdir, "compressed" + suffix)
                    cmd = ["mpiexec", "--oversubscribe", "--bind-to", "none", "-n", str(ranks), getattr(args, name),
                           "read", args.stack, "-o", output, "--compress", codec, "--force", "--json", *args.extra]
                    done = subprocess.run(cmd, check=True, capture_output=True, text=True,
                                          env={**os.environ, **MPI_ENV}, timeout=900)
                    runs.setdefault((suffix, codec, ranks, name), []).append(
                        json.loads(done.stdout.strip().splitlines()[-1]))
                    os.remove(output)
    for (suffix, codec, ranks, name), results in sorted(runs.items()):
        seconds = [r["seconds"] for r in results]
        median = statistics.median(seconds)
        print(f"{suffix:9s} {codec:8s} {ranks} ranks {name:6s}: {median:6.2f} s (min {min(seconds):.2f}, "
              f"max {max(seconds):.2f}), {results[0]['bytes'] / median / 1e6:5.0f} MB/s, "
              f"{results[-1]['output_bytes'] / 1e6:.0f} MB out, peak "
              f"{max(r['peak_rss_bytes'] for r in results) / 2**20:.0f} MiB per rank")


if __name__ == "__main__":
    main()
