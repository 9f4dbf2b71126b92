#!/usr/bin/python3
"""`strata read IN -o OUT` into every output format: time and each rank's peak memory.

Converts one uncompressed OME-TIFF stack (make_stack.py, 500 x 640 x 640 uint16 = 410 MB by
default) at each rank count into .npy, .h5 (none, gzip), .zarr (blosc-lz4) and .ome.tif
(none, deflate). The memory target of issue #3: each rank's peak RSS under 1.2 x its share of
the array + 64 MiB (the share is the array's bytes / ranks; `peak_rss_bytes` is the largest
rank's). Prints a table, writes JSON. Page cache warm; outputs go to --workdir and are removed.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

import numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_stack  # noqa: E402
from bench_read import MPI_ENV  # noqa: E402

OUTPUTS = [(".npy", "none"), (".h5", "none"), (".h5", "gzip"), (".zarr", "blosc-lz4"),
           (".ome.tif", "none"), (".ome.tif", "deflate")]
MiB = 1 << 20


def convert(binary, source, output, codec, ranks):
    cmd = ["mpiexec", "--oversubscribe", "--bind-to", "none", "-n", str(ranks), binary, "read", source,
           "-o", output, "--compress", codec, "--force", "--json"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, **MPI_ENV},
                          timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strata", default="build/apps/strata/strata")
    p.add_argument("--workdir", default="build/bench")
    p.add_argument("--shape", default="1,1,500,640,640", help="T,C,Z,Y,X")
    p.add_argument("--ranks", default="1,2")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--output", default="build/bench/bench_convert.json")
    args = p.parse_args()

    shape = tuple(int(s) for s in args.shape.split(","))
    source = make_stack.benchmark_stack(args.workdir, shape)
    array_bytes = int(numpy.prod(shape)) * 2

    rows = []
    for suffix, codec in OUTPUTS:
        for ranks in (int(r) for r in args.ranks.split(",")):
            output = os.path.join(args.workdir, "converted" + suffix)
            runs = [convert(args.strata, source, output, codec, ranks) for _ in range(args.repeats)]
            shutil.rmtree(output, ignore_errors=True) if os.path.isdir(output) else os.remove(output)
            share = array_bytes / ranks
            peak = max(r["peak_rss_bytes"] for r in runs)
            rows.append({"output": suffix, "codec": codec, "ranks": ranks,
                         "seconds": statistics.median(r["seconds"] for r in runs),
                         "read_seconds": statistics.median(r["read_seconds"] for r in runs),
                         "write_seconds": statistics.median(r["write_seconds"] for r in runs),
                         "output_bytes": runs[-1]["output_bytes"], "peak_rss_bytes": peak,
                         "share_bytes": share, "peak_over_share": peak / share,
                         "within_target": peak < 1.2 * share + 64 * MiB})

    print(f"{'output':9s} {'codec':10s} {'ranks':>5s} {'seconds':>8s} {'read':>6s} {'write':>6s} {'MB out':>7s} "
          f"{'peak MiB':>9s} {'target MiB':>10s}")
    for r in rows:
        print(f"{r['output']:9s} {r['codec']:10s} {r['ranks']:5d} {r['seconds']:8.3f} {r['read_seconds']:6.3f} "
              f"{r['write_seconds']:6.3f} {r['output_bytes'] / 1e6:7.0f} {r['peak_rss_bytes'] / MiB:9.0f} "
              f"{(1.2 * r['share_bytes'] + 64 * MiB) / MiB:10.0f}{'' if r['within_target'] else '  OVER'}")
    with open(args.output, "w") as f:
        json.dump({"shape": shape, "array_bytes": array_bytes, "results": rows}, f, indent=1)


if __name__ == "__main__":
    main()
