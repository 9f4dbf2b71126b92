#!/usr/bin/python3
"""strata's .zarr output read back by zarr-python (2.13), for check_outputs.py.

Alone, checks one output against a NumPy reference: the array zarr-python reads from
OUT.zarr/0 must equal REFERENCE.npy bit for bit (dtype, shape, bytes), and the NGFF axes
must name the expected dims when --dims is given.

usage: outputs_zarr.py OUT.zarr REFERENCE.npy [--dims TCZYX]
"""
import argparse
import os
import sys

import numpy
import zarr

# The --compress values strata accepts for .zarr; the first is the default.
CODECS = ["blosc-lz4", "blosc-zstd", "gzip", "zstd", "none"]


def read_back(path):
    """(the array zarr-python reads from the image's array "0", the dims its NGFF axes name or None)."""
    data = zarr.open(os.path.join(path, "0"), mode="r")[...]
    multiscales = zarr.open_group(path, mode="r").attrs.get("multiscales") or [{}]
    axes = multiscales[0].get("axes")
    dims = "".join(axis["name"] for axis in axes).upper() if axes else None
    return data, dims


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output")
    p.add_argument("reference")
    p.add_argument("--dims")
    args = p.parse_args()
    data, dims = read_back(args.output)
    expected = numpy.load(args.reference)
    same = data.dtype == expected.dtype and data.shape == expected.shape and data.tobytes() == expected.tobytes()
    dims_ok = not args.dims or dims == args.dims
    print(f"{args.output}: {dims} {data.shape} {data.dtype}: {'equal to' if same else 'differs from'} "
          f"{args.reference} ({expected.shape} {expected.dtype})" + ("" if dims_ok else f"; expected dims {args.dims}"))
    return 0 if same and dims_ok else 1


if __name__ == "__main__":
    sys.exit(main())
