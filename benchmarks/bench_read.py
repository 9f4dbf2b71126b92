#!/usr/bin/python3
"""strata read against its peers on the same file, in the same run, page cache warm.

For each stack (uncompressed and deflate+predictor OME-TIFF by default) it times:
  - pread:    reading the file's bytes into a fresh numpy array (the I/O limit),
  - tifffile: tifffile.imread (its default thread pool),
  - strata:   `mpiexec -n R strata read --json` at each rank count, using the read's own
              `seconds` (process start-up excluded, as for the in-process peers).
Each figure is the median of --repeats runs. Prints a table of seconds and of ratios
(peer seconds / strata seconds: > 1 means strata is faster) and writes them as JSON.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy
import tifffile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_stack  # noqa: E402

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_plm_rsh_agent": "", "OMPI_MCA_btl": "self,vader"}


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def pread_fresh(path):
    size = os.path.getsize(path)
    out = numpy.empty(size, dtype=numpy.uint8)
    with open(path, "rb", buffering=0) as f:
        f.readinto(memoryview(out))
    return out


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
    p.add_argument("--compressions", default="none,deflate")
    p.add_argument("--output", default="build/bench/bench_read.json")
    args = p.parse_args()

    shape = tuple(int(s) for s in args.shape.split(","))
    ranks = [int(r) for r in args.ranks.split(",")]
    os.makedirs(args.workdir, exist_ok=True)
    data = None
    results = []
    for compression in args.compressions.split(","):
        path = os.path.join(args.workdir, f"stack-{'x'.join(map(str, shape))}-{compression}.ome.tif")
        if not os.path.exists(path):
            data = make_stack.make_stack(shape, numpy.uint16) if data is None else data
            kwargs = {"compression": "zlib", "predictor": True} if compression == "deflate" else {}
            tifffile.imwrite(path, data, ome=True, metadata={"axes": "TCZYX"}, **kwargs)
        pread_fresh(path)  # warm the page cache
        row = {"file": os.path.basename(path), "compression": compression,
               "file_bytes": os.path.getsize(path), "array_bytes": int(numpy.prod(shape)) * 2,
               "pread_s": median_seconds(lambda: pread_fresh(path), args.repeats),
               "tifffile_s": median_seconds(lambda: tifffile.imread(path), args.repeats)}
        for r in ranks:
            seconds, rss = strata_seconds(args.strata, path, r, args.repeats, [])
            row[f"strata_{r}_s"] = seconds
            row[f"strata_{r}_peak_rss"] = rss
            row[f"tifffile_over_strata_{r}"] = row["tifffile_s"] / seconds
        results.append(row)

    print(f"{'file':40s} {'pread':>8s} {'tifffile':>9s} " +
          " ".join(f"{'strata/' + str(r):>9s} {'ratio':>6s}" for r in ranks))
    for row in results:
        print(f"{row['file']:40s} {row['pread_s']:8.3f} {row['tifffile_s']:9.3f} " +
              " ".join(f"{row[f'strata_{r}_s']:9.3f} {row[f'tifffile_over_strata_{r}']:6.2f}" for r in ranks))
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump({"shape": shape, "repeats": args.repeats, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
