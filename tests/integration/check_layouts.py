#!/usr/bin/python3
"""Checks `strata read FILE --layout L --checksum --json` for every layout: the checksum is of the
whole array in C order whatever the layout, so it must equal the XXH3-64 of what the format's own
library reads (tifffile, zarr-python, h5py, numpy) and the root layout's; the bytes moved between
ranks equal the bytes decoded by a rank that does not keep them; a bad --layout is a usage error.

usage: check_layouts.py --strata BIN --ranks N [--mpiexec "mpiexec --oversubscribe"]
                        [--workdir DIR] [--timeout SECONDS]
Exits 1 when a check failed.
"""
import argparse
import os
import shutil
import sys
import tempfile

import h5py
import numpy
import tifffile
import xxhash
import zarr

from check_files import Report, mpiexec_command, one_json_object, run


def make_inputs(folder):
    """name -> (path, the array its own library reads back)."""
    rng = numpy.random.default_rng(14)
    zyx = rng.integers(0, 65535, (9, 37, 45), dtype=numpy.uint16)
    inputs = {}
    path = os.path.join(folder, "zyx_u16.ome.tif")
    tifffile.imwrite(path, zyx, ome=True, metadata={"axes": "ZYX"}, rowsperstrip=8)
    inputs["ome-tiff"] = path
    pages = rng.integers(0, 255, (5, 19, 23), dtype=numpy.uint8)
    path = os.path.join(folder, "pages_u8.tif")
    tifffile.imwrite(path, pages, photometric="minisblack", metadata=None, compression="zlib")
    inputs["tiff"] = path
    path = os.path.join(folder, "zyx_f32.zarr")
    store = zarr.open(path, mode="w", shape=(7, 30, 26), chunks=(3, 16, 10), dtype="f4")
    store[:] = rng.normal(size=(7, 30, 26)).astype(numpy.float32)
    inputs["zarr"] = path
    path = os.path.join(folder, "zyx_i16.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("data", data=rng.integers(-3000, 3000, (6, 33, 29), dtype=numpy.int16),
                         chunks=(2, 11, 29), compression="gzip")
    inputs["hdf5"] = path + ":/data"
    path = os.path.join(folder, "yx_u16.npy")
    numpy.save(path, rng.integers(0, 65535, (41, 27), dtype=numpy.uint16))
    inputs["npy"] = path
    return {name: (path, read_back(path)) for name, path in inputs.items()}


def read_back(path):
    if path.endswith(".zarr"):
        return zarr.open(path, mode="r")[:]
    if ":/" in path:
        file, dataset = path.split(":/")
        with h5py.File(file, "r") as f:
            return f[dataset][:]
    if path.endswith(".npy"):
        return numpy.load(path)
    return tifffile.imread(path)


def layouts_for(ranks, dims):
    out = ["root", f"root:{ranks - 1}", "slab", "blocks", "replicated", f"blocks:{ranks}", "slab:X"]
    if "Y" in dims:
        out += ["slab:Y", f"blocks:Y={ranks}"]
    return out


def check_input(args, report, name, path, data):
    launch = mpiexec_command(args.mpiexec, args.ranks)
    want = xxhash.xxh3_64_hexdigest(numpy.ascontiguousarray(data).tobytes())
    info = one_json_object(run([args.strata, "info", path, "--json"], args.timeout).stdout)
    dims = info.get("dims", "") if info else ""
    for layout in layouts_for(args.ranks, dims):
        done = run(launch + [args.strata, "read", path, "--layout", layout, "--checksum", "--json"], args.timeout)
        problems = []
        result = one_json_object(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")
        if done.returncode != 0 or result is None:
            problems.append(done.describe())
        else:
            if result.get("xxh3") != want:
                problems.append(f"xxh3 {result.get('xxh3')} != {want} (the format's own library)")
            if result.get("bytes_moved") != result.get("bytes_not_owned"):
                problems.append(f"bytes_moved {result.get('bytes_moved')} != bytes_not_owned "
                                f"{result.get('bytes_not_owned')}")
            for key in ("rank_bytes_sent", "rank_peak_rss_bytes"):
                if len(result.get(key, [])) != args.ranks:
                    problems.append(f"{key} has {len(result.get(key, []))} entries for {args.ranks} ranks")
            if sum(result.get("rank_bytes_sent", [])) != result.get("bytes_moved"):
                problems.append("rank_bytes_sent does not sum to bytes_moved")
            if layout == "replicated" and result.get("bytes_moved") != 0:
                problems.append("replicated moved bytes between ranks")
            if args.ranks == 1 and result.get("bytes_moved") != 0:
                problems.append("one rank moved bytes")
        report.result(f"{name} --layout {layout}", problems)


def check_usage_errors(args, report, path):
    launch = mpiexec_command(args.mpiexec, args.ranks)
    for layout, says in [("slab:Q", "no axis Q"), ("blocks:0x2", "not a number of at least 1"),
                         (f"blocks:{args.ranks + 1}x1", "blocks for"), ("sideways", "expected root"),
                         (f"root:{args.ranks}", "not one of the")]:
        done = run(launch + [args.strata, "read", path, "--layout", layout], args.timeout)
        problems = []
        if done.returncode != 2:
            problems.append(f"exit status {done.returncode}, expected 2")
        if says not in done.stderr or "strata: error:" not in done.stderr:
            problems.append(f"stderr lacks '{says}': {done.stderr.strip()[:300]!r}")
        report.result(f"--layout {layout} is refused", problems)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", required=True)
    parser.add_argument("--ranks", type=int, default=3)
    parser.add_argument("--mpiexec", default="mpiexec --oversubscribe")
    parser.add_argument("--workdir")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="strata-layouts-", dir=args.workdir)
    try:
        report = Report()
        inputs = make_inputs(folder)
        for name, (path, data) in inputs.items():
            check_input(args, report, name, path, data)
        check_usage_errors(args, report, inputs["ome-tiff"][0])
        return report.summary()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
