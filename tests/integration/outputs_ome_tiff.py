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




def downsample(plane_stack, samples=False):
    """The next pyramid level as model/pyramid.hpp documents it: each pixel the mean of the
    2x2 block of Y, X it covers (1x2, 2x1 or 1x1 at an odd edge), computed in double; integers
    rounded half to even (np.round), floats cast back. Y and X are the last two axes, or the
    two before the last with `samples` (YXS)."""
    if samples:
        return numpy.moveaxis(downsample(numpy.moveaxis(plane_stack, -1, 0)), 0, -1)
    x = numpy.asarray(plane_stack)
    y, w = x.shape[-2], x.shape[-1]
    pad = [(0, 0)] * (x.ndim - 2) + [(0, y % 2), (0, w % 2)]
    total = numpy.pad(x.astype(numpy.float64), pad)
    count = numpy.pad(numpy.ones((y, w)), pad[-2:])
    total = total.reshape(x.shape[:-2] + (total.shape[-2] // 2, 2, total.shape[-1] // 2, 2)).sum(axis=(-3, -1))
    count = count.reshape(count.shape[0] // 2, 2, count.shape[1] // 2, 2).sum(axis=(1, 3))
    mean = total / count
    return (mean if x.dtype.kind == "f" else numpy.round(mean)).astype(x.dtype)


def level_problems(path, expected, levels, samples=False):
    """Every level tifffile reads from the SubIFDs of the OME series equals `expected`
    (level 0) downsampled k times; reduced IFDs are NewSubfileType 1."""
    problems = []
    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        if len(series.levels) != levels:
            return [f"{len(series.levels)} levels, expected {levels}"]
        reference = numpy.asarray(expected).squeeze()
        for k, level in enumerate(series.levels):
            got = level.asarray().squeeze()
            if got.shape != reference.shape:
                problems.append(f"level {k}: shape {got.shape}, expected {reference.shape}")
            elif got.tobytes() != reference.tobytes():
                problems.append(f"level {k}: {int(numpy.count_nonzero(got != reference))} values differ")
            if k > 0 and level.keyframe.subfiletype != 1:
                problems.append(f"level {k}: NewSubfileType {level.keyframe.subfiletype}, expected 1")
            reference = downsample(reference, samples)
    return problems


def plane_positions(path):
    """[(TheZ, TheC, TheT, PositionX, PositionY, PositionZ, units)] of the OME-XML's Plane elements."""
    import xml.etree.ElementTree as ElementTree
    with tifffile.TiffFile(path) as tif:
        root = ElementTree.fromstring(tif.ome_metadata)
    planes = []
    for plane in root.iter("{http://www.openmicroscopy.org/Schemas/OME/2016-06}Plane"):
        a = plane.attrib
        planes.append((int(a["TheZ"]), int(a["TheC"]), int(a["TheT"]),
                       *(float(a[f"Position{axis}"]) if f"Position{axis}" in a else None for axis in "XYZ"),
                       tuple(a.get(f"Position{axis}Unit") for axis in "XYZ")))
    return planes


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
