"""What make_zarr_fixtures.py and make_hdf5_fixtures.py share: the values fixtures hold and
the expected.json written beside them, in the schema of ../shared/real-data/expected.json:

    {"NAME": {"format", "dims" (null when undeclared), "dims_default_rank_based", "shape",
              "dtype", "xxh3", "select", "select_shape", "select_xxh3",
              optional "physical_sizes" {"X": {"value", "unit"}}, "channel_names"},
     "expected_errors": [{"name", "expect": "error", "at": "open" | "read", "message", "why"}]}

xxh3 is XXH3-64 (seed 0) of the array's C-order little-endian bytes. Element values are a
function of their coordinates, on odd sizes, so a misplaced chunk, a wrong stride or a
wrong byte order changes the hash.
"""
import json
import os
import shutil
import sys

import numpy as np
import xxhash

DEFAULT_DIMS = "TCZYX"
LETTERS_BEYOND_5 = "ABDEFGHIJKLMNOPQRSUVW"


def default_dims(rank):
    """The dims strata gives an array that declares none."""
    if rank <= 5:
        return DEFAULT_DIMS[5 - rank:]
    return LETTERS_BEYOND_5[: rank - 5] + DEFAULT_DIMS


def values(shape, dtype):
    """Distinct values from coordinates; negative for signed, fractional for floats,
    beyond 2**53 for 64-bit integers (so a float round trip would show)."""
    dtype = np.dtype(dtype)
    idx = np.indices(shape, dtype=np.int64)
    v = np.zeros(shape, dtype=np.int64)
    weights = (1, 7, 31, 211, 7919, 15013, 27011, 40009)  # of the last axis, the one before, ...
    for axis in range(len(shape)):
        v += idx[axis] * weights[len(shape) - 1 - axis]
    if dtype.kind == "f":
        return (v * 0.25 - 1000.5).astype(dtype)
    if dtype.kind == "b":
        return v % 3 == 0
    if dtype.itemsize == 8:
        big = np.int64(1) << np.int64(60)
        v = v + big if dtype.kind == "u" else big - v * 3
        return v.astype(dtype)
    info = np.iinfo(dtype)
    span = int(info.max) - int(info.min) + 1
    return ((v * 37) % span + int(info.min)).astype(dtype)


def xxh3(a):
    little = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False)
    return xxhash.xxh3_64_hexdigest(np.ascontiguousarray(little).tobytes())


def selection(dims, shape):
    """One selection per entry: an index on the first axis, a range on the last."""
    parts, box = [], [slice(None)] * len(shape)
    if len(shape) >= 1:
        i = shape[0] // 2
        parts.append(f"{dims[0]}={i}")
        box[0] = slice(i, i + 1)
    if len(shape) >= 2 and shape[-1] > 2:
        parts.append(f"{dims[-1]}=1:{shape[-1] - 1}")
        box[-1] = slice(1, shape[-1] - 1)
    return ",".join(parts), tuple(box)


def output_folder(usage):
    """The script's one argument, OUT_DIR, emptied; exits with `usage` when it is missing."""
    if len(sys.argv) != 2:
        sys.exit(usage)
    out = sys.argv[1]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    return out


class Fixtures:
    """The fixtures written into `out` and their expected.json; each script's subclass
    writes its format's files and sets `format`, the format its entries are read as."""

    format = None

    def __init__(self, out):
        self.out = out
        self.expected = {"expected_errors": []}

    def path(self, name):
        return os.path.join(self.out, name)

    def entry(self, name, data, declared_dims=None, fmt=None, **extra):
        """Expects `name` to read as `data`, with `declared_dims` (None: the rank-based default)."""
        dims = declared_dims or default_dims(data.ndim)
        sel, box = selection(dims, data.shape)
        e = {
            "format": fmt or self.format,
            "dims": declared_dims,
            "shape": list(data.shape),
            "dtype": data.dtype.name,
            "xxh3": xxh3(data),
            "select": sel,
            "select_shape": list(data[box].shape),
            "select_xxh3": xxh3(data[box]),
        }
        if declared_dims is None:
            e["dims_default_rank_based"] = dims
        e.update(extra)
        self.expected[name] = e

    def error(self, name, message, why, at="open"):
        """Expects opening (or, at="read", reading) `name` to fail with an error that says `message`."""
        self.expected["expected_errors"].append(
            {"name": name, "expect": "error", "at": at, "message": message, "why": why})

    def write(self):
        with open(self.path("expected.json"), "w") as f:
            json.dump(self.expected, f, indent=1)
