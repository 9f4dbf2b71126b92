#!/usr/bin/python3
"""TIFF -> sharded OME-Zarr 0.5 with a 3-level pyramid, strata against tifffile + zarr-python.

Converts the benchmark stack (make_stack.py, 500 x 640 x 640 uint16 = 410 MB) with
`mpiexec -n RANKS strata read IN -o OUT.zarr --zarr-format 3 --shard Z=64 --levels 3`
(blosc-lz4), then checks the result once with zarrita (tests/integration/zarrita_read.mjs, an
independent Zarr v3 reader): level 0 bit-exact with what tifffile reads, levels 1-2 equal to
the documented downsampling (tests/integration/check_zarr_outputs.py's NumPy reference).
The peer is the nearest thing Debian has: tifffile reads the stack and zarr-python 2 writes
the same pyramid as Zarr v2 / NGFF 0.4 (one plane per chunk, Blosc lz4 level 5 + shuffle),
64 planes at a time, the levels by the same NumPy reference, in one process. Reports the
median and range of the time (strata's own `seconds`, and the wall time of mpiexec to compare
with the peer's, which includes Python's start) and the peak RSS (strata: the largest rank's). Page cache
warm; outputs go to --workdir and are removed.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy
import tifffile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import make_stack  # noqa: E402
from bench_read import MPI_ENV  # noqa: E402

MiB = 1 << 20


def peer(source, output, levels, block):
    """tifffile + zarr-python 2: the same pyramid as Zarr v2, `block` planes at a time."""
    import numcodecs
    import zarr
    from check_zarr_outputs import next_level

    stack = tifffile.memmap(source)
    stack = stack.reshape((1,) * (5 - stack.ndim) + stack.shape)  # TCZYX, as strata writes it
    shape = stack.shape
    group = zarr.open_group(output, mode="w")
    arrays, level_shape = [], shape
    for k in range(levels):
        arrays.append(group.create_dataset(str(k), shape=level_shape, dtype=stack.dtype,
                                           chunks=(1, 1, 1) + level_shape[3:], dimension_separator="/",
                                           compressor=numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE)))
        level_shape = level_shape[:3] + ((level_shape[3] + 1) // 2, (level_shape[4] + 1) // 2)
    datasets = [{"path": str(k), "coordinateTransformations": [{"type": "scale", "scale": [1, 1, 1, 2 ** k, 2 ** k]}]}
                for k in range(levels)]
    group.attrs["multiscales"] = [{"version": "0.4", "datasets": datasets,
                                   "axes": [{"name": n} for n in "tczyx"]}]
    for z in range(0, shape[2], block):
        level = numpy.asarray(stack[:, :, z:z + block])
        for k in range(levels):
            if k:
                level = next_level(level, 2)
            arrays[k][:, :, z:z + block] = level


def run_strata(binary, source, output, ranks, levels, shard):
    cmd = ["mpiexec", "--oversubscribe", "--bind-to", "none", "-n", str(ranks), binary, "read", source, "-o", output,
           "--zarr-format", "3", "--shard", shard, "--levels", str(levels), "--compress", "blosc-lz4", "--force",
           "--json"]
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, **MPI_ENV}, timeout=600)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]), wall_seconds=time.perf_counter() - start)


def run_peer(source, output, levels):
    """The peer in its own process: (wall seconds, peak RSS bytes)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--peer", source, output, str(levels)],
                          check=True, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.strip().splitlines()[-1])


def verify(source, output, levels, node_modules):
    """Problems of the strata output as zarrita reads it (empty: equal)."""
    from check_zarr_outputs import pyramid

    dest = output + ".zarrita"
    done = subprocess.run(["node", os.path.join(HERE, "..", "tests", "integration", "zarrita_read.mjs"), node_modules,
                           output, dest], check=True, capture_output=True, text=True, timeout=900)
    got = json.loads(done.stdout)["levels"]
    problems = []
    stack = tifffile.imread(source)
    for k, want in enumerate(pyramid(stack.reshape((1,) * (5 - stack.ndim) + stack.shape), 2, levels)):
        data = numpy.fromfile(f"{dest}-{k}.bin", dtype=numpy.dtype(got[k]["dtype"]).newbyteorder("<"))
        os.remove(f"{dest}-{k}.bin")
        if list(got[k]["shape"]) != list(want.shape) or not numpy.array_equal(data.reshape(want.shape), want):
            problems.append(f"level {k} differs ({got[k]['shape']} vs {list(want.shape)})")
    return problems


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--peer":
        peer(sys.argv[2], sys.argv[3], int(sys.argv[4]), 64)
        # VmHWM, the peak of this process's own memory: ru_maxrss would carry the parent's
        # peak over fork and exec.
        with open("/proc/self/status") as f:
            print(next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:")))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strata", default="build/apps/strata/strata")
    p.add_argument("--workdir", default="build/bench")
    p.add_argument("--zarrita", default="build/zarrita/node_modules", help="node_modules holding zarrita")
    p.add_argument("--shape", default="1,1,500,640,640", help="T,C,Z,Y,X")
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--levels", type=int, default=3)
    p.add_argument("--shard", default="Z=64")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--output", default="build/bench/bench_zarr_pyramid.json")
    args = p.parse_args()

    shape = tuple(int(s) for s in args.shape.split(","))
    source = make_stack.benchmark_stack(args.workdir, shape)
    output = os.path.join(args.workdir, "pyramid.zarr")
    peer_output = os.path.join(args.workdir, "pyramid-peer.zarr")

    runs = [run_strata(args.strata, source, output, args.ranks, args.levels, args.shard) for _ in range(args.repeats)]
    peers = [run_peer(source, peer_output, args.levels) for _ in range(args.repeats)]
    shutil.rmtree(peer_output)
    problems = verify(source, output, args.levels, args.zarrita)  # last: it holds the whole pyramid
    shutil.rmtree(output)
    result = {
        "shape": shape, "ranks": args.ranks, "levels": args.levels, "shard": args.shard,
        "strata_seconds": spread([r["seconds"] for r in runs]),
        "strata_wall_seconds": spread([r["wall_seconds"] for r in runs]),  # with mpiexec's start
        "strata_peak_rss_mib": spread([r["peak_rss_bytes"] / MiB for r in runs]),
        "strata_output_bytes": runs[-1]["output_bytes"],
        "zarrita_check": problems or "level 0 bit-exact, levels 1.. equal to the NumPy reference",
        "peer_seconds": spread([s for s, _ in peers]),
        "peer_peak_rss_mib": spread([m / MiB for _, m in peers]),
    }
    print(json.dumps(result, indent=1))
    with open(args.output, "w") as f:
        json.dump(result, f, indent=1)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
