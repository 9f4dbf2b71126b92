#!/usr/bin/env python3
"""Writes one microscopy-like uint16 stack for strata's SLURM runs and sweeps.

usage: make_sweep_stack.py PATH --shape 1000,640,640 [--axes ZYX]
                     [--format ome-tiff|ome-tiff-deflate|zarr|hdf5] [--seed N] [--print-xxh3]

Each YX plane is a smooth background with bright blobs that drift from plane to plane plus
Poisson noise (seeded, so the same arguments give the same bytes). Planes are generated and
written one at a time, so a 1000-plane stack never sits in memory as floats. --axes must
be in strata's canonical order (a subsequence of TCZYX ending in YX); --print-xxh3 prints
the XXH3-64 (seed 0) of the array's C-order bytes, the checksum `strata read --checksum`
must print. Formats: OME-TIFF raw or deflate (tifffile), OME-Zarr v0.4 with one Blosc-lz4
scale (zarr), HDF5 dataset /data chunked by plane (h5py).
"""
import argparse
import math
import sys

import numpy as np

FORMATS = ("ome-tiff", "ome-tiff-deflate", "zarr", "hdf5")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--shape", required=True,
                        type=lambda s: tuple(int(n) for n in s.split(",")))
    parser.add_argument("--axes", default=None, help="default: the last len(shape) of TCZYX")
    parser.add_argument("--format", choices=FORMATS, default="ome-tiff")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--print-xxh3", action="store_true")
    args = parser.parse_args(argv)
    args.axes = (args.axes or "TCZYX"[-len(args.shape):]).upper()
    canonical = [a for a in "TCZYX" if a in args.axes]
    if len(args.axes) != len(args.shape) or list(args.axes) != canonical \
            or not args.axes.endswith("YX") or min(args.shape) < 1:
        parser.error(f"--axes {args.axes} must match --shape {args.shape}, be in TCZYX order "
                     "and end in YX")
    return args


def planes(shape, seed):
    """Yield the stack's YX planes in C order as uint16."""
    plane_count = math.prod(shape[:-2])
    height, width = shape[-2:]
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    background = 100 + 20 * np.sin(x / width * math.pi) * np.cos(y / height * math.pi)
    blobs = rng.uniform(0, 1, size=(12, 2)).astype(np.float32)   # centres, as fractions
    sigma = max(2.0, min(height, width) / 20)
    for index in range(plane_count):
        image = background.copy()
        drift = index / max(plane_count, 1)
        for cy, cx in blobs:
            dy = y - ((cy + drift) % 1) * height
            dx = x - ((cx + 0.5 * drift) % 1) * width
            image += 800 * np.exp(-(dy * dy + dx * dx) / (2 * sigma * sigma))
        yield np.minimum(rng.poisson(image), 65535).astype(np.uint16)


def write_tiff(path, shape, axes, stack, deflate):
    import tifffile
    options = dict(compression="zlib", predictor=True) if deflate else {}
    tifffile.imwrite(path, stack, shape=shape, dtype=np.uint16, ome=True,
                     photometric="minisblack", metadata={"axes": axes}, **options)


def write_zarr(path, shape, axes, stack):
    import numcodecs
    import zarr
    group = zarr.open_group(path, mode="w")
    kinds = {"T": "time", "C": "channel", "Z": "space", "Y": "space", "X": "space"}
    group.attrs["multiscales"] = [{
        "version": "0.4",
        "axes": [{"name": a.lower(), "type": kinds[a]} for a in axes],
        "datasets": [{"path": "0", "coordinateTransformations": [
            {"type": "scale", "scale": [1.0] * len(axes)}]}],
    }]
    array = group.create_dataset(
        "0", shape=shape, dtype=np.uint16, chunks=(1,) * (len(shape) - 2) + shape[-2:],
        compressor=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE))
    for index, plane in enumerate(stack):
        array[np.unravel_index(index, shape[:-2])] = plane


def write_hdf5(path, shape, axes, stack):
    import h5py
    with h5py.File(path, "w") as file:
        dataset = file.create_dataset("data", shape=shape, dtype=np.uint16,
                                      chunks=(1,) * (len(shape) - 2) + shape[-2:])
        dataset.attrs["axes"] = axes
        for index, plane in enumerate(stack):
            dataset[np.unravel_index(index, shape[:-2])] = plane


def main(argv):
    args = parse_args(argv)
    digest = None
    if args.print_xxh3:
        import xxhash
        digest = xxhash.xxh3_64()

    def hashed(stack):
        for plane in stack:
            if digest is not None:
                digest.update(plane.tobytes())
            yield plane

    stack = hashed(planes(args.shape, args.seed))
    if args.format.startswith("ome-tiff"):
        write_tiff(args.path, args.shape, args.axes, stack, args.format == "ome-tiff-deflate")
    elif args.format == "zarr":
        write_zarr(args.path, args.shape, args.axes, stack)
    else:
        write_hdf5(args.path, args.shape, args.axes, stack)
    if digest is not None:
        print(digest.hexdigest())


if __name__ == "__main__":
    main(sys.argv[1:])
