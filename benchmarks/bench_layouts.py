#!/usr/bin/python3
"""Layouts and gathers at several rank counts, interleaved, as ratios in one run.

  layouts: a T=1 stack read at 4 ranks with every layout (`--layout slab`, `slab:Y`, `blocks`,
           `root`), one decode thread per rank; seconds, bytes moved between ranks, bytes
           decoded but not owned, peak RSS per rank. Files: a raw TIFF in 64-row strips
           (tifffile) and a raw Zarr v2 in 16x256x256 chunks (zarr-python).
  gather:  the whole stack gathered on one rank: 1 rank with 2 decode threads against 2 ranks
           with 1 each (the same total), on a raw and a deflate TIFF.

Every configuration runs `--repeats` times, configurations interleaved round by round, page
cache warm; seconds are strata's own (`--json` "seconds": the read, start-up excluded).
Medians with [min, max]. Several binaries (`--strata A,B`) run in the same rounds.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import numpy
import tifffile
import zarr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_stack import make_stack  # noqa: E402

MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_plm_rsh_agent="")


def stacks(workdir, planes, size):
    os.makedirs(workdir, exist_ok=True)
    data = None
    paths = {}
    for kind in ("tiff-strips", "tiff-deflate", "zarr"):
        path = os.path.join(workdir, f"{kind}-{planes}x{size}x{size}" + (".zarr" if kind == "zarr" else ".tif"))
        paths[kind] = path
        if os.path.exists(path):
            continue
        if data is None:
            data = make_stack((1, 1, planes, size, size), numpy.uint16)[0, 0]
        if kind == "tiff-strips":
            tifffile.imwrite(path, data, rowsperstrip=64)
        elif kind == "tiff-deflate":
            tifffile.imwrite(path, data, compression="zlib", predictor=True, rowsperstrip=64)
        else:
            z = zarr.open(path, mode="w", shape=data.shape, chunks=(16, 256, 256), dtype=data.dtype, compressor=None)
            z[:] = data
    return paths


def run(binary, path, ranks, threads, layout):
    cmd = ["mpiexec", "--oversubscribe", "-n", str(ranks), binary, "read", path, "--threads", str(threads), "--json"]
    if layout:
        cmd += ["--layout", layout]
    out = subprocess.run(cmd, env=MPI_ENV, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def summary(values):
    return statistics.median(values), min(values), max(values)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strata", default="build/apps/strata/strata", help="binaries, comma separated")
    p.add_argument("--workdir", default="build/bench")
    p.add_argument("--planes", type=int, default=300)
    p.add_argument("--size", type=int, default=640)
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--what", default="layouts,gather")
    args = p.parse_args()
    paths = stacks(args.workdir, args.planes, args.size)
    binaries = args.strata.split(",")

    configs = []  # (label, binary, path, ranks, threads, layout)
    for binary in binaries:
        tag = binary if len(binaries) > 1 else ""
        if "layouts" in args.what:
            for kind in ("tiff-strips", "zarr"):
                for layout in ("slab", "slab:Y", "blocks", "root"):
                    configs.append((f"{tag} {kind} 4 ranks {layout}".strip(), binary, paths[kind], 4, 1, layout))
        if "gather" in args.what:
            for kind in ("tiff-strips", "tiff-deflate"):
                configs.append((f"{tag} {kind} gather 1 rank x 2 threads".strip(), binary, paths[kind], 1, 2, None))
                configs.append((f"{tag} {kind} gather 2 ranks x 1 thread".strip(), binary, paths[kind], 2, 1, None))
    results = {c[0]: [] for c in configs}
    for round_ in range(args.repeats):
        for label, binary, path, ranks, threads, layout in configs:
            results[label].append(run(binary, path, ranks, threads, layout))
        print(f"round {round_ + 1}/{args.repeats}", file=sys.stderr)

    print("| configuration | median s [min, max] | bytes moved | decoded not owned | peak RSS per rank MiB |")
    print("|---|---|---|---|---|")
    for label, runs in results.items():
        med, lo, hi = summary([r["seconds"] for r in runs])
        last = runs[-1]
        rss = ", ".join(str(round(b / 2**20)) for b in last.get("rank_peak_rss_bytes", []))
        print(f"| {label} | {med:.3f} [{lo:.3f}, {hi:.3f}] | {last.get('bytes_moved', 0) / 1e6:.1f} MB "
              f"| {last.get('bytes_not_owned', 0) / 1e6:.1f} MB | {rss} |")


if __name__ == "__main__":
    main()
