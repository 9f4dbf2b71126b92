#!/usr/bin/python3
"""What durable outputs cost: `strata read -o` with and without flushing to disk.

strata flushes every output before renaming it into place (array/commit.hpp: fsync of a
file on every rank, syncfs once per rank for a folder store, fsync of the folder before and
after the rename). "Without" runs the same binary with fsync, fdatasync and syncfs made
no-ops by an LD_PRELOAD shim built here, so the difference is the flushing alone. Before each
run `sync` empties the page cache's dirty pages (not timed), so each run flushes only its own.
Times are strata's JSON `seconds` (reading, writing and committing; process start-up
excluded); medians of --repeats, with the spread. Default: the 410 MB stack of
make_stack.py (500 x 640 x 640 uint16) at 2 ranks, into .npy, .zarr (blosc-lz4), .ome.tif
and .h5 (none).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_stack  # noqa: E402
from bench_read import MPI_ENV  # noqa: E402

OUTPUTS = [(".npy", "none"), (".zarr", "blosc-lz4"), (".zarr", "none"), (".ome.tif", "none"), (".h5", "none")]

SHIM = r"""
/* fsync and friends as no-ops: strata's outputs without durability, for comparison only. */
int fsync(int fd) { (void)fd; return 0; }
int fdatasync(int fd) { (void)fd; return 0; }
int syncfs(int fd) { (void)fd; return 0; }
"""


def build_shim(workdir):
    source, library = os.path.join(workdir, "no_fsync.c"), os.path.join(workdir, "no_fsync.so")
    with open(source, "w") as f:
        f.write(SHIM)
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", library, source], check=True)
    return library


def convert(binary, source, output, codec, ranks, shim):
    env = {**os.environ, **MPI_ENV}
    launcher = ["mpiexec", "--oversubscribe", "--bind-to", "none", "-n", str(ranks)]
    if shim:
        launcher += ["-x", f"LD_PRELOAD={shim}"]
    subprocess.run(["sync"], check=True)
    done = subprocess.run(launcher + [binary, "read", source, "-o", output, "--compress", codec, "--json"],
                          check=True, capture_output=True, text=True, env=env, timeout=600)
    shutil.rmtree(output, ignore_errors=True) if os.path.isdir(output) else os.remove(output)
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strata", default="build/apps/strata/strata")
    p.add_argument("--workdir", default="build/bench")
    p.add_argument("--shape", default="1,1,500,640,640", help="T,C,Z,Y,X")
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()

    source = make_stack.benchmark_stack(args.workdir, tuple(int(s) for s in args.shape.split(",")))
    shim = build_shim(args.workdir)
    print("| output | codec | with fsync: median s (min-max) | without: median s (min-max) | cost |")
    print("|---|---|---|---|---|")
    for suffix, codec in OUTPUTS:
        output = os.path.join(args.workdir, "durable" + suffix)
        times = {True: [], False: []}
        for _ in range(args.repeats):  # interleaved, so that the box's load affects both alike
            for durable in (True, False):
                times[durable].append(convert(args.strata, source, output, codec, args.ranks,
                                              None if durable else shim))
        cells = [f"{statistics.median(t):.2f} ({min(t):.2f}-{max(t):.2f})" for t in (times[True], times[False])]
        cost = statistics.median(times[True]) - statistics.median(times[False])
        print(f"| {suffix} | {codec} | {cells[0]} | {cells[1]} | +{cost:.2f} s |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
