#!/usr/bin/python3
"""Writes Zarr v3 test fixtures and an expected.json beside them (schema and values:
fixture_expected.py). The writer is not strata:

  - zarrita (the JavaScript Zarr implementation, make_zarr_v3_fixtures.mjs) writes what it
    can: every data type but float16, the bytes codec in both byte orders, transpose, blosc
    (every compressor and shuffle), zstd, both separators of the default chunk key
    encoding, missing chunks, fill values as numbers, "NaN" and "Infinity", groups with
    OME-NGFF 0.5 attributes;
  - what zarrita 0.7.5 cannot write (gzip, crc32c, sharding_indexed, the v2 chunk key
    encoding, float16, hexadecimal fill values) is built here byte by byte from the v3 spec,
    and every such array zarrita can read (all but index_location "start", nested sharding
    and float16) is read back by zarrita and compared with the values it was built from.

Usage: make_zarr_v3_fixtures.py OUT_DIR   (with ZARRITA_MODULES=DIR, the node_modules folder
holding zarrita; .ci/setup installs it into build/zarrita/node_modules). Exits 77 (a ctest
skip) when node or zarrita is missing.
"""
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import numcodecs
    import numpy as np

    from fixture_expected import Fixtures, output_folder, values, xxh3
except ImportError as e:  # the ctest skips on 77
    print(f"make_zarr_v3_fixtures.py: {e}", file=sys.stderr)
    sys.exit(77)

ZARRITA_VERSION = "0.7.5"  # .ci/setup installs this one
NODE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_zarr_v3_fixtures.mjs")
ABSENT = 2**64 - 1


def find_zarrita():
    """(node, node_modules) or exit 77 saying what is missing."""
    node = shutil.which("node")
    modules = os.environ.get("ZARRITA_MODULES", "")
    if node is None:
        print("SKIP: node is not installed (run .ci/setup)", file=sys.stderr)
        sys.exit(77)
    if not os.path.isfile(os.path.join(modules, "zarrita", "package.json")):
        print(f"SKIP: zarrita is not installed in ZARRITA_MODULES={modules!r} (run .ci/setup, or "
              f"npm install --prefix build/zarrita zarrita@{ZARRITA_VERSION})", file=sys.stderr)
        sys.exit(77)
    return node, modules


# ---- the v3 spec's chunk encoding, for what zarrita cannot write -------------------------

def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC32C_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def is_fill(a, fill):
    if a.dtype.kind == "f" and np.isnan(fill):
        return bool(np.isnan(a).all())
    return bool((a == fill).all())


def encode(a, codecs, fill):
    """The stored bytes of chunk `a` (its full, unclipped shape) through the codec chain;
    None for a shard all of whose inner chunks are the fill value."""
    data = a
    for codec in codecs:
        name, config = codec["name"], codec.get("configuration", {})
        if name == "transpose":
            data = np.transpose(data, config["order"])
        elif name == "bytes":
            order = ">" if config.get("endian", "little") == "big" else "<"
            data = np.ascontiguousarray(data).astype(data.dtype.newbyteorder(order)).tobytes()
        elif name == "sharding_indexed":
            data = encode_shard(data, config, fill)
            if data is None:
                return None
        elif name == "gzip":
            data = gzip.compress(data, compresslevel=config["level"], mtime=0)
        elif name == "zstd":
            data = numcodecs.Zstd(level=config["level"]).encode(data)
        elif name == "blosc":
            shuffle = {"noshuffle": 0, "shuffle": 1, "bitshuffle": 2}[config["shuffle"]]
            items = np.frombuffer(data, dtype=f"u{config['typesize']}")
            data = numcodecs.Blosc(cname=config["cname"], clevel=config["clevel"], shuffle=shuffle,
                                   blocksize=config.get("blocksize", 0)).encode(items)
        elif name == "crc32c":
            data = bytes(data) + struct.pack("<I", crc32c(bytes(data)))
        else:
            raise ValueError(f"no encoder for codec {name}")
    return bytes(data)


def encode_shard(a, config, fill):
    """A shard: inner chunks that are all fill are left out (index entry 2^64-1, 2^64-1)."""
    inner = config["chunk_shape"]
    per_shard = [s // c for s, c in zip(a.shape, inner)]
    index = np.full(per_shard + [2], ABSENT, dtype=np.uint64)
    pieces = []
    for position in np.ndindex(*per_shard):
        box = tuple(slice(p * c, (p + 1) * c) for p, c in zip(position, inner))
        if is_fill(a[box], fill):
            continue
        stored = encode(a[box], config["codecs"], fill)
        if stored is None:
            continue
        pieces.append((position, stored))
    if not pieces:
        return None
    index_bytes = encode(index, config["index_codecs"], fill)  # for its size only
    offset = len(index_bytes) if config.get("index_location", "end") == "start" else 0
    for position, stored in pieces:
        index[position] = (offset, len(stored))
        offset += len(stored)
    index_bytes = encode(index, config["index_codecs"], fill)
    body = b"".join(stored for _, stored in pieces)
    return index_bytes + body if config.get("index_location", "end") == "start" else body + index_bytes


def chunk_key(position, encoding):
    name, separator = encoding["name"], encoding["configuration"]["separator"]
    if name == "v2":
        return separator.join(map(str, position)) or "0"
    return separator.join(["c"] + [str(p) for p in position])


def write_by_hand(path, data, chunks, codecs, fill_json, fill, data_type=None,
                  key_encoding=("default", "/")):
    """An array stored by the spec, chunk by chunk; chunks all of fill value are left out."""
    encoding = {"name": key_encoding[0], "configuration": {"separator": key_encoding[1]}}
    os.makedirs(path)
    meta = {"zarr_format": 3, "node_type": "array", "shape": list(data.shape),
            "data_type": data_type or data.dtype.name,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
            "chunk_key_encoding": encoding, "fill_value": fill_json, "codecs": codecs,
            "attributes": {}}
    with open(os.path.join(path, "zarr.json"), "w") as f:
        json.dump(meta, f, indent=1)
    grid = [-(-s // c) for s, c in zip(data.shape, chunks)]
    for position in np.ndindex(*grid):
        full = np.full(chunks, fill, dtype=data.dtype)
        box = tuple(slice(p * c, min((p + 1) * c, s)) for p, c, s in zip(position, chunks, data.shape))
        part = data[box]
        full[tuple(slice(0, n) for n in part.shape)] = part
        if is_fill(full, fill):
            continue
        stored = encode(full, codecs, fill)
        if stored is None:
            continue
        key = os.path.join(path, *chunk_key(position, encoding).split("/"))
        os.makedirs(os.path.dirname(key), exist_ok=True)
        with open(key, "wb") as f:
            f.write(stored)


# ---- codec chains -----------------------------------------------------------------------

def bytes_codec(endian="little"):
    return {"name": "bytes", "configuration": {"endian": endian}}


def blosc(cname, shuffle, typesize, clevel=5):
    return {"name": "blosc", "configuration": {"cname": cname, "clevel": clevel, "shuffle": shuffle,
                                               "typesize": typesize, "blocksize": 0}}


def zstd(level=3):
    return {"name": "zstd", "configuration": {"level": level, "checksum": False}}


def gzip_codec(level=5):
    return {"name": "gzip", "configuration": {"level": level}}


CRC32C = {"name": "crc32c"}


def sharding(inner, codecs, index_location="end", index_codecs=None):
    return {"name": "sharding_indexed", "configuration": {
        "chunk_shape": list(inner), "codecs": codecs,
        "index_codecs": index_codecs if index_codecs is not None else [bytes_codec(), CRC32C],
        "index_location": index_location}}


def unwritten(data, fill, boxes):
    """`data` with the regions `boxes` (tuples of slices) never written: they hold the fill."""
    out = data.copy()
    for box in boxes:
        out[box] = fill
    return out


class V3Fixtures(Fixtures):
    format = "zarr"

    def __init__(self, out, node, modules):
        super().__init__(out)
        self.node, self.modules = node, modules
        self.work = os.path.join(out, "_zarrita")
        os.makedirs(self.work)
        self.jobs = {"write": [], "groups": [], "read": []}
        self.checks = []  # (name, data): hand-built arrays zarrita reads back

    def raw(self, name, data):
        path = os.path.join(self.work, name.replace("/", "_") + ".raw")
        np.ascontiguousarray(data).astype(data.dtype.newbyteorder("<")).tofile(path)
        return path

    def zarrita(self, name, data, chunks, codecs, fill=0, separator="/", region=None,
                attributes=None, expected=None, entry=True):
        """An array zarrita writes: all of `data`, or only `region` ([start, stop) per axis)."""
        self.jobs["write"].append({
            "path": self.path(name), "shape": list(data.shape), "chunks": list(chunks),
            "dtype": data.dtype.name, "codecs": codecs, "fill_value": json_number(fill),
            "separator": separator, "attributes": attributes or {}, "raw": self.raw(name, data),
            "region": region})
        if entry:
            self.entry(name, data if expected is None else expected)

    def by_hand(self, name, data, chunks, codecs, fill_json=0, fill=0, zarrita_reads=True, entry=True, **kw):
        write_by_hand(self.path(name), data, chunks, codecs, fill_json, fill, **kw)
        if zarrita_reads:
            self.jobs["read"].append({"path": self.path(name), "raw": self.back(name)})
            self.checks.append((name, data))
        if entry:
            self.entry(name, data)

    def back(self, name):
        """Where zarrita puts what it read of the hand-built array `name`."""
        return os.path.join(self.work, name.replace("/", "_") + ".back.raw")

    def run_zarrita(self):
        jobs = os.path.join(self.work, "jobs.json")
        with open(jobs, "w") as f:
            json.dump(self.jobs, f)
        subprocess.run([self.node, NODE_SCRIPT, self.modules, jobs], check=True)
        for name, data in self.checks:
            back = np.fromfile(self.back(name), dtype=data.dtype.newbyteorder("<")).reshape(data.shape)
            if not np.array_equal(back, data, equal_nan=data.dtype.kind == "f"):
                sys.exit(f"make_zarr_v3_fixtures.py: zarrita reads {name} differently from the values it was built from")
        shutil.rmtree(self.work)


def json_number(v):
    """`v` as JSON holds it: NaN and the infinities as the v3 spec spells them."""
    if isinstance(v, float) and not np.isfinite(v):
        return "NaN" if np.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def bool_values(shape):
    return values(shape, "u1") % 3 == 0


def zarrita_fixtures(fx):
    shape, chunks = (4, 9, 10), (3, 4, 4)
    for t in ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"):
        fx.zarrita(f"dtype_{t}.zarr", values(shape, t), chunks, [bytes_codec()])
    fx.zarrita("dtype_bool.zarr", bool_values(shape), chunks, [bytes_codec()], fill=False)
    for t in ("uint16", "int32", "int64", "float64"):
        fx.zarrita(f"big_endian_{t}.zarr", values(shape, t), chunks, [bytes_codec("big")])
    fx.zarrita("transpose_zstd.zarr", values((5, 11, 13), "int16"), (2, 4, 5),
               [{"name": "transpose", "configuration": {"order": [2, 0, 1]}}, bytes_codec(), zstd()])
    fx.zarrita("transpose_big_blosc.zarr", values((3, 6, 7, 9), "float32"), (2, 3, 4, 5),
               [{"name": "transpose", "configuration": {"order": [3, 1, 0, 2]}}, bytes_codec("big"),
                blosc("lz4", "shuffle", 4)])
    for cname in ("lz4", "lz4hc", "blosclz", "zstd", "zlib"):
        for shuffle in ("noshuffle", "shuffle", "bitshuffle"):
            if cname != "lz4" and shuffle != "shuffle":
                continue
            fx.zarrita(f"blosc_{cname}_{shuffle}.zarr", values((3, 20, 30), "uint16"), (2, 7, 11),
                       [bytes_codec(), blosc(cname, shuffle, 2)])
    fx.zarrita("zstd.zarr", values((6, 25, 27), "int32"), (2, 10, 10), [bytes_codec(), zstd(5)])
    fx.zarrita("separator_dot.zarr", values((3, 17, 19), "uint16"), (2, 8, 8), [bytes_codec()], separator=".")
    fx.zarrita("rank1.zarr", values((101,), "float64"), (10,), [bytes_codec(), zstd()])
    fx.zarrita("rank5.zarr", values((2, 3, 4, 9, 8), "uint8"), (1, 2, 3, 5, 5), [bytes_codec()])
    # Partly written: chunks never written read as the fill value, in every form zarrita writes.
    region = [[0, 2], [0, 8], [0, 10]]  # of (5, 17, 19); chunk (2, 8, 8)
    for name, t, fill in (("missing_chunks_int16", "int16", -7), ("missing_chunks_uint8", "uint8", 200),
                          ("fill_nan_float32", "float32", float("nan")),
                          ("fill_infinity_float64", "float64", float("inf")),
                          ("fill_minus_infinity_float32", "float32", float("-inf")),
                          ("fill_fraction_float64", "float64", -2.5)):
        data = values((5, 17, 19), t)
        box = tuple(slice(a, b) for a, b in region)
        expected = np.full(data.shape, fill, dtype=t)
        # zarrita writes whole chunks only: the chunks the region touches are stored, with
        # the fill value outside the region; the others are missing.
        expected[box] = data[box]
        fx.zarrita(f"{name}.zarr", data, (2, 8, 8), [bytes_codec(), zstd()], fill=fill, region=region,
                   expected=expected)
    data = bool_values((5, 17, 19))
    expected = np.ones(data.shape, dtype=bool)
    expected[:2, :8, :10] = data[:2, :8, :10]
    fx.zarrita("fill_true_bool.zarr", data, (2, 8, 8), [bytes_codec()], fill=True, region=region,
               expected=expected)
    ngff(fx)


def ngff(fx):
    """An OME-NGFF 0.5 image: a group whose attributes.ome lists two levels."""
    name = "ngff_0.5.zarr"
    level0 = values((2, 3, 16, 21), "uint16")
    level1 = level0[:, :, ::2, ::2]
    axes = [{"name": "c", "type": "channel"}, {"name": "z", "type": "space", "unit": "micrometer"},
            {"name": "y", "type": "space", "unit": "micrometer"},
            {"name": "x", "type": "space", "unit": "micrometer"}]
    datasets = [{"path": str(k), "coordinateTransformations": [
        {"type": "scale", "scale": [1.0, 2.0, 0.5 * 2**k, 0.25 * 2**k]}]} for k in range(2)]
    ome = {"version": "0.5", "multiscales": [{"name": "img", "axes": axes, "datasets": datasets}],
           "omero": {"channels": [{"label": "DAPI"}, {"label": "GFP"}]}}
    fx.jobs["groups"].append({"path": fx.path(name), "attributes": {"ome": ome}})
    for k, level in enumerate((level0, level1)):
        fx.zarrita(f"{name}/{k}", level, (1, 2, 8, 8), [bytes_codec(), blosc("zstd", "bitshuffle", 2)],
                   entry=False)
    # strata reports units as OME's symbols ("micrometer" -> "µm").
    sizes = {"Z": {"value": 2.0, "unit": "µm"}, "Y": {"value": 0.5, "unit": "µm"},
             "X": {"value": 0.25, "unit": "µm"}}
    fx.entry(name, level0, declared_dims="CZYX", fmt="ome-zarr", physical_sizes=sizes,
             channel_names=["DAPI", "GFP"],
             levels=[{"shape": list(a.shape), "xxh3": xxh3(a)} for a in (level0, level1)])


def hand_built_fixtures(fx):
    data = values((5, 17, 19), "int16")
    fx.by_hand("gzip.zarr", data, (2, 8, 8), [bytes_codec(), gzip_codec()])
    fx.by_hand("crc32c.zarr", data, (2, 8, 8), [bytes_codec(), CRC32C])
    fx.by_hand("crc32c_gzip_crc32c.zarr", data, (2, 8, 8), [bytes_codec(), CRC32C, gzip_codec(1), CRC32C])
    fx.by_hand("v2_keys_dot.zarr", data, (2, 8, 8), [bytes_codec(), zstd()], key_encoding=("v2", "."))
    fx.by_hand("v2_keys_slash.zarr", data, (2, 8, 8), [bytes_codec()], key_encoding=("v2", "/"))
    fx.by_hand("float16.zarr", values((4, 9, 10), "float16"), (3, 4, 4), [bytes_codec("big")],
               zarrita_reads=False)
    # Fill values as raw float bits, on chunks left out. zarrita 0.7.5 reads "0x7fc00000" as
    # the number 2143289344, not as bits, so it does not check these two.
    nan32 = unwritten(values((5, 17, 19), "float32"), np.nan, [np.s_[2:, :, :]])
    fx.by_hand("fill_hex_nan_float32.zarr", nan32, (2, 8, 8), [bytes_codec()], fill_json="0x7fc00000",
               fill=np.float32("nan"), zarrita_reads=False)
    neg = unwritten(values((5, 17, 19), "float64"), -1.5, [np.s_[:, 8:, :]])
    fx.by_hand("fill_hex_float64.zarr", neg, (2, 8, 8), [bytes_codec(), zstd()],
               fill_json="0xbff8000000000000", fill=-1.5, zarrita_reads=False)

    # Sharding: shards of 2x2x2 inner chunks over an array that ends inside shards and inner
    # chunks; some inner chunks and one whole shard never written (fill value).
    shape, shard, inner = (7, 33, 35), (4, 16, 16), (2, 8, 8)
    holes = [np.s_[0:2, 0:8, 8:16], np.s_[2:4, 8:16, 0:8], np.s_[4:7, 16:33, 16:35]]
    sharded = unwritten(values(shape, "uint16"), 3, holes)
    lz4 = [bytes_codec(), blosc("lz4", "shuffle", 2)]
    fx.by_hand("shard_index_end.zarr", sharded, shard, [sharding(inner, lz4)], fill_json=3, fill=3)
    fx.by_hand("shard_index_end_no_crc.zarr", sharded, shard,
               [sharding(inner, [bytes_codec(), gzip_codec()], index_codecs=[bytes_codec("big")])],
               fill_json=3, fill=3)
    # zarrita reads shard indexes from the end only, and not nested shards.
    fx.by_hand("shard_index_start.zarr", sharded, shard, [sharding(inner, lz4, "start")],
               fill_json=3, fill=3, zarrita_reads=False)
    fx.by_hand("shard_nested.zarr", sharded, (4, 32, 32),
               [sharding((4, 16, 16), [sharding(inner, [bytes_codec(), zstd()], "start")])],
               fill_json=3, fill=3, zarrita_reads=False)
    fx.by_hand("shard_transpose_big_zstd_crc32c.zarr", values(shape, "float64"), shard,
               [sharding((4, 8, 16), [{"name": "transpose", "configuration": {"order": [1, 0, 2]}},
                                      bytes_codec("big"), zstd(), CRC32C])], fill_json="NaN", fill=np.nan)
    # Valid v3 that strata refuses, saying so: codecs around sharding_indexed.
    fx.by_hand("err_transpose_before_sharding.zarr", sharded, shard,
               [{"name": "transpose", "configuration": {"order": [2, 1, 0]}}, sharding((16, 8, 2), lz4)],
               fill_json=3, fill=3, zarrita_reads=False, entry=False)
    fx.error("err_transpose_before_sharding.zarr", "transpose before sharding_indexed is not supported",
             "array->array codecs before sharding_indexed would reorder whole shards")
    fx.by_hand("err_crc32c_after_sharding.zarr", sharded, shard, [sharding(inner, lz4), CRC32C],
               fill_json=3, fill=3, zarrita_reads=False, entry=False)
    fx.error("err_crc32c_after_sharding.zarr", "after sharding_indexed is not supported",
             "bytes->bytes codecs over a whole shard: strata reads inner chunks by offset")
    bools = unwritten(bool_values(shape), True, holes)
    fx.by_hand("shard_bool.zarr", bools, shard, [sharding(inner, [bytes_codec(), zstd()])],
               fill_json=True, fill=True)
    fx.by_hand("shard_v2_keys_int64.zarr", unwritten(values(shape, "int64"), -9, holes), shard,
               [sharding(inner, [bytes_codec("big"), blosc("zstd", "bitshuffle", 8)])], fill_json=-9, fill=-9,
               key_encoding=("v2", "."))
    # One inner chunk per shard, and shards of whole planes (the benchmark's layout).
    fx.by_hand("shard_one_inner.zarr", sharded, (2, 8, 8), [sharding((2, 8, 8), lz4)], fill_json=3, fill=3)
    fx.by_hand("shard_planes.zarr", values((9, 20, 22), "uint16"), (4, 20, 22),
               [sharding((1, 20, 22), lz4)])


def main():
    out = output_folder(__doc__.split("\n\n")[-1])
    node, modules = find_zarrita()
    fx = V3Fixtures(out, node, modules)
    zarrita_fixtures(fx)
    hand_built_fixtures(fx)
    fx.run_zarrita()
    fx.write()


if __name__ == "__main__":
    main()
