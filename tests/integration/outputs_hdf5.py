#!/usr/bin/python3
"""Reads strata's .h5 outputs back with h5py, for tests/integration/check_outputs.py.

Blosc chunks (HDF5 filter 32001) are decoded by the HDF5 plugin that hdf5plugin registers
(Debian: python3-hdf5plugin hdf5-filter-plugin-blosc-serial); without it, each chunk is
read raw with h5py and decoded with numcodecs' Blosc, so the check still runs.

Alone: outputs_hdf5.py OUT.h5 REFERENCE.npy [DIMS] checks one file bit-exactly.
"""
import sys

import h5py
import numpy

try:
    import hdf5plugin  # noqa: F401  (registers the Blosc filter with h5py's HDF5)
except ImportError:
    pass

SUFFIX = ".h5"
CODECS = ["none", "gzip", "blosc-lz4", "blosc-zstd"]
BLOSC = 32001


def _filters(dataset):
    plist = dataset.id.get_create_plist()
    return [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]


def _read_blosc_chunks(dataset):
    """The dataset decoded chunk by chunk with numcodecs (no HDF5 plugin needed)."""
    from numcodecs import Blosc

    if _filters(dataset) != [BLOSC]:
        raise ValueError(f"{dataset.name}: expected Blosc alone, found filters {_filters(dataset)}")
    out = numpy.empty(dataset.shape, dataset.dtype)
    chunks = dataset.chunks
    for index in numpy.ndindex(*(-(-n // c) for n, c in zip(dataset.shape, chunks))):
        start = tuple(i * c for i, c in zip(index, chunks))
        mask, raw = dataset.id.read_direct_chunk(start)
        data = raw if mask & 1 else Blosc().decode(raw)  # bit 0 set: stored unfiltered
        chunk = numpy.frombuffer(data, dataset.dtype).reshape(chunks)
        region = tuple(slice(s, min(s + c, n)) for s, c, n in zip(start, chunks, dataset.shape))
        out[region] = chunk[tuple(slice(0, r.stop - r.start) for r in region)]
    return out


def read_back(path):
    """Returns (array, dims) of dataset /data: dims joins its dimension labels ("" when unlabelled)."""
    with h5py.File(path, "r") as f:
        dataset = f["data"]
        dims = "".join(dim.label for dim in dataset.dims)
        if BLOSC in _filters(dataset) and not h5py.h5z.filter_avail(BLOSC):
            return _read_blosc_chunks(dataset), dims
        return dataset[...], dims


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    array, dims = read_back(sys.argv[1])
    reference = numpy.load(sys.argv[2])
    reference = reference.astype(reference.dtype.newbyteorder("="), copy=False)  # h5py gives native order
    problems = []
    if array.dtype != reference.dtype:
        problems.append(f"dtype {array.dtype} != {reference.dtype}")
    if array.shape != reference.shape:
        problems.append(f"shape {array.shape} != {reference.shape}")
    elif array.tobytes() != reference.tobytes():
        problems.append(f"{int(numpy.count_nonzero(array != reference))} elements differ")
    if len(sys.argv) == 4 and dims != sys.argv[3]:
        problems.append(f"dims {dims!r} != {sys.argv[3]!r}")
    if problems:
        sys.exit(f"{sys.argv[1]}: " + "; ".join(problems))
    print(f"{sys.argv[1]}: ok ({array.dtype}, shape {array.shape}, dims {dims!r})")


if __name__ == "__main__":
    main()
