#!/usr/bin/python3
"""What metadata costs: `strata info`, `strata plan` and a small `strata read` of arrays with many
chunks (issue #16, item 3). The whole process is timed (wall clock, start-up included) with its
peak RSS, because for these commands the metadata is most of the work.

Arrays (uint16, chunks of 1 x 8 x 8, ZYX) with 10^4, 10^6 and 10^7 chunks, only the first few
chunks written (a sparse store: the rest read as fill), as Zarr v2 (zarr-python), Zarr v3
(zarr.json written here, "bytes" codec) and an HDF5 chunked dataset (h5py); plus 10^4 and 10^5
chunks all written. And 10,000-page TIFFs: OME-TIFFs of 16 x 16 uint8 pages (tifffile, classic
and BigTIFF), and BigTIFFs of 2048 x 2048 uint16 deflate pages in 256 x 256 tiles or 16-row
strips (written here: every IFD 8 MiB after the last, as a real stack of such pages places
them, in a sparse file whose tiles or strips all share one compressed block, so it takes
little disk); `read` of those selects their first 4 pages. With --whole, also
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


def make_ome_tiff(path, pages, bigtiff=False):
    data = numpy.arange(pages * 256, dtype=numpy.uint32).astype(numpy.uint8).reshape(pages, 16, 16)
    tifffile.imwrite(path, data, ome=True, bigtiff=bigtiff, metadata={"axes": "ZYX"})


def make_big_pages(path, pages, tiled):
    """A BigTIFF of `pages` 2048 x 2048 uint16 deflate pages, IFDs 8 MiB apart (sparse)."""
    import struct
    import zlib
    side, block = 2048, 256 if tiled else 16
    blocks = (side // block) ** 2 if tiled else side // block
    data = zlib.compress(bytes(2 * (block * block if tiled else block * side)))
    step = 8 << 20

    def entry(tag, kind, count, value):
        """A BigTIFF entry: a single SHORT/LONG/LONG8 value in place, else `value` is the offset."""
        if count == 1:
            return struct.pack("<HHQ", tag, kind, 1) + struct.pack({3: "<H", 4: "<I", 16: "<Q"}[kind], value).ljust(8, b"\0")
        return struct.pack("<HHQQ", tag, kind, count, value)
    with open(path, "wb") as f:
        f.write(b"II" + struct.pack("<HHHQ", 43, 8, 0, 1 << 20))  # the first IFD at 1 MiB
        f.write(data)  # at 16, shared by every tile or strip
        at = 1 << 20
        for page in range(pages):
            tags = [(256, 4, 1, side), (257, 4, 1, side), (258, 3, 1, 16), (259, 3, 1, 8), (262, 3, 1, 1),
                    (277, 3, 1, 1), (284, 3, 1, 1), (339, 3, 1, 1)]
            tags += [(322, 3, 1, block), (323, 3, 1, block)] if tiled else [(278, 3, 1, block)]
            arrays = at + 8 + 20 * (len(tags) + 2) + 8
            tags += [(324 if tiled else 273, 16, blocks, arrays), (325 if tiled else 279, 4, blocks, arrays + 8 * blocks)]
            tags.sort()
            next_ifd = 0 if page == pages - 1 else at + step
            ifd = struct.pack("<Q", len(tags)) + b"".join(entry(*t) for t in tags) + struct.pack("<Q", next_ifd)
            f.seek(at)
            f.write(ifd + struct.pack(f"<{blocks}Q", *([16] * blocks)) + struct.pack(f"<{blocks}I", *([len(data)] * blocks)))
            at = next_ifd
        f.truncate(pages * step + (1 << 20))


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
    cases.append(("ome-bigtiff-10000-pages", os.path.join(args.data, "pages10000.big.ome.tif"),
                  lambda p: make_ome_tiff(p, 10000, bigtiff=True)))
    for layout in ["tiles", "strips"]:
        cases.append((f"bigtiff-2048-{layout}-10000-pages", os.path.join(args.data, f"pages10000.2048.{layout}.tif"),
                      lambda p, t=layout == "tiles": make_big_pages(p, 10000, t)))

    only = [o for o in args.only.split(",") if o]
    results = {}
    for name, path, maker in cases:
        if only and not any(o in name for o in only):
            continue
        if not os.path.exists(path):
            print(f"writing {name} ...", flush=True)
            maker(path)
        source = path
        select = ["--select", "Z=0:4"] if "2048" in name else [] if "tiff-" in name else ["--select", SELECT]
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
