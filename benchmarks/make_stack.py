#!/usr/bin/python3
"""Writes a synthetic microscopy stack as OME-TIFF for the sample run and the benchmarks.

Pixel values are smooth blobs plus noise, so compressed sizes resemble real fluorescence
data (deflate+predictor ratio ~2-3) instead of the extremes of zeros or white noise.
"""
import argparse
import os

import numpy
import tifffile


def make_stack(shape, dtype, seed=0):
    t, c, z, y, x = shape
    rng = numpy.random.default_rng(seed)
    yy, xx = numpy.mgrid[0:y, 0:x].astype(numpy.float32)
    out = numpy.empty(shape, dtype=dtype)
    # A 12-bit camera's range, as in most sCMOS light-sheet data stored as uint16.
    top = min(numpy.iinfo(dtype).max, 4095) if numpy.issubdtype(dtype, numpy.integer) else 1.0
    for ti in range(t):
        for ci in range(c):
            cy, cx = y * (0.3 + 0.1 * ci), x * (0.5 + 0.05 * ti)
            for zi in range(z):
                r2 = ((yy - cy) ** 2 + (xx - cx - zi) ** 2) / (0.05 * x * y + 1)
                plane = 0.6 * top * numpy.exp(-r2) + rng.normal(0.025 * top, 0.0025 * top, (y, x))
                out[ti, ci, zi] = numpy.clip(plane, 0, top).astype(dtype)
    return out


def benchmark_stack(workdir, shape):
    """The uncompressed uint16 OME-TIFF stack of `shape` (T,C,Z,Y,X) in `workdir`, written
    the first time it is asked for."""
    os.makedirs(workdir, exist_ok=True)
    source = os.path.join(workdir, f"stack-{'x'.join(map(str, shape))}-tiff-none.ome.tif")
    if not os.path.exists(source):
        tifffile.imwrite(source, make_stack(shape, numpy.uint16), ome=True, metadata={"axes": "TCZYX"})
    return source


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("path")
    p.add_argument("--shape", default="1,1,500,640,640", help="T,C,Z,Y,X")
    p.add_argument("--dtype", default="uint16")
    p.add_argument("--compression", choices=["none", "deflate"], default="none")
    p.add_argument("--tile", type=int, default=0, help="tile size (0: strips)")
    args = p.parse_args()
    shape = tuple(int(s) for s in args.shape.split(","))
    data = make_stack(shape, numpy.dtype(args.dtype))
    os.makedirs(os.path.dirname(os.path.abspath(args.path)), exist_ok=True)
    kwargs = {}
    if args.compression == "deflate":
        kwargs.update(compression="zlib", predictor=True)
    if args.tile:
        kwargs.update(tile=(args.tile, args.tile))
    tifffile.imwrite(args.path, data, ome=True, metadata={"axes": "TCZYX"},
                     bigtiff=data.nbytes > 2**31, **kwargs)


if __name__ == "__main__":
    main()
