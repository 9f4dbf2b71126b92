#!/usr/bin/python3
"""strata read against its peers on the same file, in the same run, page cache warm.

Stacks (T,C,Z,Y,X uint16 from make_stack.py; one YX plane per chunk), each timed with:
  - pread:  reading the file's bytes into a fresh numpy array (the I/O limit; for a Zarr
            folder, every chunk file),
  - peer:   the library scientists use for that format: tifffile.imread (its default thread
            pool), zarr-python's `z[...]`, h5py's `d[...]`,
  - strata: `mpiexec -n R strata read --json` at each rank count, using the read's own
            `seconds` (process start-up excluded, as for the in-process peers).
The stacks: tiff-none, tiff-deflate (zlib + horizontal predictor), zarr-blosc-lz4 (Blosc lz4,
byte shuffle, clevel 5: numcodecs' default Blosc), zarr3-sharded-blosc-lz4 (Zarr v3, the same
codec on the same one-plane inner chunks, 50 planes per shard; written by the spec's encoder
in tests/data/make_zarr_v3_fixtures.py, zarrita cannot write shards; no Python peer reads it,
so its ratio is strata on the v2 copy / strata on it), hdf5-gzip (h5py gzip level 4 + shuffle).
Each figure is the median of --repeats runs. Prints seconds and ratios (peer / strata: > 1
means strata is faster) and writes them as JSON.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import h5py
import numcodecs
import numpy
import tifffile
import zarr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data"))
import make_stack  # noqa: E402
import make_zarr_v3_fixtures as zarr_v3  # noqa: E402

SHARD_PLANES = 50

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_plm_rsh_agent": "", "OMPI_MCA_btl": "self,vader"}


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def files_of(path):
    if not os.path.isdir(path):
        return [path]
    return [os.path.join(d, f) for d, _, names in os.walk(path) for f in names]


def pread_fresh(path):
    files = files_of(path)
    out = numpy.empty(sum(os.path.getsize(f) for f in files), dtype=numpy.uint8)
    at = 0
    for name in files:
        with open(name, "rb", buffering=0) as f:
            at += f.readinto(memoryview(out)[at:])
    return out


def write_stack(kind, path, data):
    """Writes `data` as the stack `kind` and returns (peer name, function reading it whole)."""
    if kind.startswith("tiff"):
        if not os.path.exists(path):
            extra = {"compression": "zlib", "predictor": True} if kind == "tiff-deflate" else {}
            tifffile.imwrite(path, data(), ome=True, metadata={"axes": "TCZYX"}, **extra)
        return "tifffile", lambda: tifffile.imread(path)
    if kind == "zarr-blosc-lz4":
        if not os.path.exists(path):
            a = data()
            z = zarr.open(path, mode="w", shape=a.shape, dtype=a.dtype, chunks=(1, 1, 1) + a.shape[3:],
                          compressor=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE))
            z[...] = a
        return "zarr-python", lambda: zarr.open(path, mode="r")[...]
    if kind == "zarr3-sharded-blosc-lz4":
        if not os.path.exists(path):
            a = data()
            plane = (1, 1, 1) + a.shape[3:]
            inner = [zarr_v3.bytes_codec(), zarr_v3.blosc("lz4", "shuffle", 2)]
            zarr_v3.write_by_hand(path, a, (1, 1, SHARD_PLANES) + a.shape[3:], [zarr_v3.sharding(plane, inner)],
                                  fill_json=0, fill=0)
        return None, None
    if kind == "hdf5-gzip":
        if not os.path.exists(path):
            a = data()
            with h5py.File(path, "w") as f:
                f.create_dataset("data", data=a, chunks=(1, 1, 1) + a.shape[3:], compression="gzip",
                                 compression_opts=4, shuffle=True)

        def read_h5():
            with h5py.File(path, "r") as f:
                return f["data"][...]
        return "h5py", read_h5
    raise ValueError(f"unknown stack kind {kind}")


SUFFIXES = {"tiff-none": ".ome.tif", "tiff-deflate": ".ome.tif", "zarr-blosc-lz4": ".zarr",
            "zarr3-sharded-blosc-lz4": ".zarr", "hdf5-gzip": ".h5"}


def strata_seconds(binary, path, ranks, repeats, extra):
    times, rss = [], []
    for _ in range(repeats):
        cmd = ["mpiexec", "--oversubscribe", "--bind-to", "none", "-n", str(ranks), binary, "read", path,
               "--json"] + extra
        out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                             env={**os.environ, **MPI_ENV}, timeout=600)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(result["seconds"])
        rss.append(result["peak_rss_bytes"])
    return statistics.median(times), max(rss)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strata", default="build/apps/strata/strata")
    p.add_argument("--workdir", default="build/bench")
    p.add_argument("--shape", default="1,1,500,640,640", help="T,C,Z,Y,X of the stacks")
    p.add_argument("--ranks", default="1,2", help="rank counts to run strata at")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--stacks", default=",".join(SUFFIXES), help="which of " + ", ".join(SUFFIXES))
    p.add_argument("--output", default="build/bench/bench_read.json")
    args = p.parse_args()

    shape = tuple(int(s) for s in args.shape.split(","))
    ranks = [int(r) for r in args.ranks.split(",")]
    os.makedirs(args.workdir, exist_ok=True)
    cache = {}

    def data():
        if "stack" not in cache:
            cache["stack"] = make_stack.make_stack(shape, numpy.uint16)
        return cache["stack"]

    results = []
    for kind in args.stacks.split(","):
        path = os.path.join(args.workdir, f"stack-{'x'.join(map(str, shape))}-{kind}{SUFFIXES[kind]}")
        peer, read_peer = write_stack(kind, path, data)
        pread_fresh(path)  # warm the page cache
        row = {"stack": kind, "file": os.path.basename(path), "peer": peer,
               "file_bytes": int(sum(os.path.getsize(f) for f in files_of(path))),
               "array_bytes": int(numpy.prod(shape)) * 2,
               "pread_s": median_seconds(lambda: pread_fresh(path), args.repeats),
               "peer_s": median_seconds(read_peer, args.repeats) if read_peer else None}
        target = path + (":/data" if kind == "hdf5-gzip" else "")
        for r in ranks:
            seconds, rss = strata_seconds(args.strata, target, r, args.repeats, [])
            row[f"strata_{r}_s"] = seconds
            row[f"strata_{r}_peak_rss"] = rss
            row[f"peer_over_strata_{r}"] = row["peer_s"] / seconds if read_peer else None
        results.append(row)
    # The sharded v3 copy against the unsharded v2 one, both read by strata (issue #15: <= 1.2x).
    v2 = next((row for row in results if row["stack"] == "zarr-blosc-lz4"), None)
    for row in results:
        if row["stack"] == "zarr3-sharded-blosc-lz4" and v2:
            row["peer"] = "strata v2"
            row["peer_s"] = v2[f"strata_{ranks[0]}_s"]
            for r in ranks:
                row[f"peer_over_strata_{r}"] = v2[f"strata_{r}_s"] / row[f"strata_{r}_s"]

    print(f"{'stack':24s} {'MB on disk':>10s} {'pread':>7s} {'peer':>12s} {'peer s':>7s} " +
          " ".join(f"{'strata/' + str(r):>9s} {'ratio':>6s}" for r in ranks))
    def figure(value, width, digits):
        return f"{value:{width}.{digits}f}" if value is not None else f"{'-':>{width}s}"

    for row in results:
        print(f"{row['stack']:24s} {row['file_bytes'] / 1e6:10.0f} {row['pread_s']:7.3f} {row['peer'] or '-':>12s} "
              f"{figure(row['peer_s'], 7, 3)} " +
              " ".join(f"{row[f'strata_{r}_s']:9.3f} {figure(row[f'peer_over_strata_{r}'], 6, 2)}" for r in ranks))
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump({"shape": shape, "repeats": args.repeats, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
