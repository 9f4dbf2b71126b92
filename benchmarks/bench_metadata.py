#!/usr/bin/python3
"""What metadata costs: `strata info`, `strata plan` and a small `strata read` of arrays with many
chunks (issue #16, item 3). The whole process is timed (wall clock, start-up included) with its
peak RSS, because for these commands the metadata is most of the work.

Arrays (uint16, chunks of 1 x 8 x 8, ZYX) with 10^4, 10^6 and 10^7 chunks, only the first few
chunks written (a sparse store: the rest read as fill), as Zarr v2 (zarr-python), Zarr v3
(zarr.json written here, "bytes" codec) and an HDF5 chunked dataset (h5py); plus 10^4 and 10^5
chunks all written. And a 10,000-page OME-TIFF (tifffile, 16 x 16 uint8 pages). With --whole, also
a whole read (no --select) at 1 rank; one strata refuses (exit 2, e.g. a table beyond the memory
limit) is reported as refused, with its time and message.

    /usr/bin/python3 benchmarks/bench_metadata.py --repeats 3 [--max-chunks 1000000] [--timeout 120] [--whole]

Writes build/bench/bench_metadata.json. A command over --timeout seconds is reported as such.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import h5py
import numpy
import tifffile
import zarr

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_plm_rsh_agent": "", "OMPI_MCA_btl": "self,vader"}
CHUNK = (1, 8, 8)
# grid of chunks (Z, Y, X) for each chunk count
GRIDS = {10**4: (1, 100, 100), 10**5: (10, 100, 100), 10**6: (1, 1000, 1000), 10**7: (10, 1000, 1000)}
SELECT = "Z=0,Y=0:24,X=0:24"  # 9 chunks


def shape_of(grid):
    return tuple(g * c for g, c in zip(grid, CHUNK))


def written(shape, full):
    """The data written: every element when full, else the first 3 x 3 chunks of plane 0."""
    if full:
        return (slice(None),) * 3, numpy.arange(numpy.prod(shape), dtype=numpy.uint16).reshape(shape)
    region = (slice(0, 1), slice(0, 24), slice(0, 24))
    return region, numpy.arange(24 * 24, dtype=numpy.uint16).reshape(1, 24, 24)


def make_zarr2(path, shape, full):
    z = zarr.open(path, mode="w", shape=shape, chunks=CHUNK, dtype="u2", compressor=None, fill_value=7)
    region, data = written(shape, full)
    z[region] = data


def make_zarr3(path, shape, full):
    os.makedirs(path)
    meta = {"zarr_format": 3, "node_type": "array", "shape": list(shape), "data_type": "uint16",
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(CHUNK)}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": 7, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
            "dimension_names": ["z", "y", "x"]}
    with open(os.path.join(path, "zarr.json"), "w") as f:
        json.dump(meta, f)
    region, data = written(shape, full)
    start = [s.start or 0 for s in region]
    for z in range(data.shape[0] // CHUNK[0]):
        for y in range(data.shape[1] // CHUNK[1]):
            folder = os.path.join(path, "c", str(start[0] + z), str(y))
            os.makedirs(folder, exist_ok=True)
            for x in range(data.shape[2] // CHUNK[2]):
                block = data[z:z + 1, y * 8:(y + 1) * 8, x * 8:(x + 1) * 8]
                with open(os.path.join(folder, str(x)), "wb") as f:
                    f.write(numpy.ascontiguousarray(block).astype("<u2").tobytes())


def make_hdf5(path, shape, full):
    with h5py.File(path, "w") as f:
        d = f.create_dataset("data", shape=shape, chunks=CHUNK, dtype="u2", fillvalue=7)
        region, data = written(shape, full)
        d[region] = data


def make_ome_tiff(path, pages):
    data = numpy.arange(pages * 256, dtype=numpy.uint32).astype(numpy.uint8).reshape(pages, 16, 16)
    tifffile.imwrite(path, data, ome=True, metadata={"axes": "ZYX"})


def timed(cmd, timeout):
    """(seconds, peak RSS MiB, refusal message or None) of one run, or (None, None, None) past
    the timeout. Exit status 2 is a clean refusal; any other failure ends the benchmark."""
    wrapped = ["/usr/bin/time", "-f", "TIME %e %M"] + cmd
    try:
        r = subprocess.run(wrapped, capture_output=True, text=True, timeout=timeout, env={**os.environ, **MPI_ENV})
    except subprocess.TimeoutExpired:
        return None, None, None
    refused = None
    if r.returncode != 0:
        errors = [l for l in r.stderr.splitlines() if l.startswith("strata: error:")]
        if "exited with status 2" not in r.stderr and r.returncode != 2 or not errors:
            sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr}")
        refused = errors[0]
    line = [l for l in r.stderr.splitlines() if l.startswith("TIME ")][-1].split()
    return float(line[1]), int(line[2]) / 1024, refused


def measure(cmd, repeats, timeout):
    runs = []
    refused = None
    for _ in range(repeats):
        seconds, rss, refused = timed(cmd, timeout)
        if seconds is None:
            return {"timeout": timeout}
        runs.append((seconds, rss))
    times = [s for s, _ in runs]
    result = {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
              "peak_rss_mib": max(r for _, r in runs)}
    if refused:
        result["refused"] = refused
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strata", default=os.path.join(here, "..", "build", "apps", "strata", "strata"))
    p.add_argument("--data", default=os.path.join(here, "..", "build", "bench", "metadata"))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--max-chunks", type=int, default=10**7)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--ranks", default="1,2")
    p.add_argument("--only", default="", help="comma-separated substrings of case names to run")
    p.add_argument("--whole", action="store_true", help="also read each whole array at 1 rank")
    args = p.parse_args()
    os.makedirs(args.data, exist_ok=True)

    cases = []  # (name, path, maker)
    for count, full in [(10**4, False), (10**6, False), (10**7, False), (10**4, True), (10**5, True)]:
        if count > args.max_chunks:
            continue
        tag = f"{count:.0e}".replace("+0", "").replace("+", "") + ("-full" if full else "-sparse")
        shape = shape_of(GRIDS[count])
        for kind, suffix, maker in [("zarr2", ".zarr", make_zarr2), ("zarr3", ".zarr", make_zarr3),
                                    ("hdf5", ".h5", make_hdf5)]:
            name = f"{kind}-{tag}"
            cases.append((name, os.path.join(args.data, name + suffix), lambda p, s=shape, f=full, m=maker: m(p, s, f)))
    cases.append(("ome-tiff-10000-pages", os.path.join(args.data, "pages10000.ome.tif"),
                  lambda p: make_ome_tiff(p, 10000)))

    only = [o for o in args.only.split(",") if o]
    results = {}
    for name, path, maker in cases:
        if only and not any(o in name for o in only):
            continue
        if not os.path.exists(path):
            print(f"writing {name} ...", flush=True)
            maker(path)
        source = path
        select = [] if "tiff" in name else ["--select", SELECT]
        row = {"info": measure([args.strata, "info", source, "--json"], args.repeats, args.timeout),
               "plan": measure([args.strata, "plan", source, "-n", "2"] + select, args.repeats, args.timeout)}
        for ranks in [int(r) for r in args.ranks.split(",")]:
            cmd = ["mpiexec", "--oversubscribe", "-n", str(ranks), args.strata, "read", source, "--checksum"] + select
            row[f"read_{ranks}"] = measure(cmd, args.repeats, args.timeout)
        if args.whole:
            cmd = ["mpiexec", "--oversubscribe", "-n", "1", args.strata, "read", source, "--checksum"]
            row["whole_1"] = measure(cmd, args.repeats, args.timeout)
        results[name] = row
        cells = []
        for k, v in row.items():
            cells.append(f"{k} " + (f"timeout>{v['timeout']:.0f}s" if "timeout" in v else
                                    f"{v['median_s']:.3f}s [{v['min_s']:.3f}-{v['max_s']:.3f}] {v['peak_rss_mib']:.0f}MiB"
                                    + (f" refused ({v['refused']})" if "refused" in v else "")))
        print(f"{name}: " + " | ".join(cells), flush=True)
    out = os.path.join(here, "..", "build", "bench", "bench_metadata.json")
    with open(out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
