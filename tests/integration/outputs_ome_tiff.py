#!/usr/bin/python3
"""strata's .ome.tif output read back by tifffile (2023.2), for check_outputs.py.

Alone, checks one output against a NumPy reference: the OME series tifffile reads must equal
REFERENCE.npy bit for bit (dtype, bytes; shape up to length-1 axes, which tifffile squeezes),
its axes must be --axes when given, the file must be a BigTIFF whose pages all hold one plane
with the Compression of --codec when given, and `tiffinfo -D` (libtiff) must read every page
without a warning.

usage: outputs_ome_tiff.py OUT.ome.tif REFERENCE.npy [--axes ZYX] [--codec deflate]
"""
import argparse
import shutil
import subprocess
import sys

import numcodecs
import numpy
import tifffile

# The --compress values strata accepts for .ome.tif; the first is the default.
CODECS = ["none", "deflate", "zstd"]
COMPRESSION = {"none": 1, "deflate": 8, "zstd": 50000}  # the TIFF Compression tag of each


def _zstd_decode(data, out=None):
    return numcodecs.Zstd().decode(data)


# tifffile decodes zstd with imagecodecs, which Debian does not package: numcodecs does it.
try:
    import imagecodecs  # noqa: F401
except ImportError:
    tifffile.TIFF.DECOMPRESSORS._codecs.setdefault(COMPRESSION["zstd"], _zstd_decode)


def read_back(path):
    """(the array of tifffile's first OME series, its axes as tifffile names them, length-1
    axes squeezed: "ZYX", "TCZYX", "YXS", ...)."""
    with tifffile.TiffFile(path) as tif:
        if not tif.is_ome:
            raise ValueError("tifffile does not see an OME-TIFF")
        series = tif.series[0]
        return series.asarray(), series.axes




def storage_problems(path, codec=None):
    """What is wrong with how the file is stored: BigTIFF, one page per plane, the codec."""
    problems = []
    with tifffile.TiffFile(path) as tif:
        if not tif.is_bigtiff:
            problems.append("not a BigTIFF")
        series = tif.series[0]
        if len(tif.pages) != len(series.pages):
            problems.append(f"{len(tif.pages)} pages for {len(series.pages)} planes")
        compressions = {page.compression for page in tif.pages}
        if codec and compressions != {COMPRESSION[codec]}:
            problems.append(f"Compression {sorted(compressions)}, expected {COMPRESSION[codec]}")
        if tif.pages[0].software != "strata":
            problems.append(f"Software {tif.pages[0].software!r}")
    return problems


def libtiff_problems(path):
    """Warnings or errors of libtiff's tiffinfo reading every page's data."""
    if not shutil.which("tiffinfo"):
        return []
    done = subprocess.run(["tiffinfo", "-D", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, errors="replace")
    lines = done.stderr.strip().splitlines()
    return [f"tiffinfo: {line}" for line in lines] or ([f"tiffinfo exit status {done.returncode}"]
                                                       if done.returncode else [])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output")
    p.add_argument("reference")
    p.add_argument("--axes")
    p.add_argument("--codec", choices=CODECS)
    args = p.parse_args()
    data, axes = read_back(args.output)
    expected = numpy.load(args.reference)
    problems = storage_problems(args.output, args.codec) + libtiff_problems(args.output)
    if data.dtype != expected.dtype:
        problems.append(f"dtype {data.dtype}, expected {expected.dtype}")
    if data.squeeze().shape != expected.squeeze().shape:
        problems.append(f"shape {data.shape}, expected {expected.shape} (up to length-1 axes)")
    elif data.tobytes() != expected.tobytes():
        problems.append("values differ")
    if args.axes and axes != args.axes:
        problems.append(f"axes {axes}, expected {args.axes}")
    for problem in problems:
        print(f"{args.output}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{args.output}: {axes} {data.shape} {data.dtype}: equal to {args.reference}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
