#!/usr/bin/python3
"""Writes HDF5 test fixtures with h5py (Debian's, serial HDF5) and an expected.json beside
them (its schema and the fixtures' values: fixture_expected.py), named "FILE.h5:/dataset"
or "FILE.h5"; the xxh3s are of the arrays as h5py reads them (or, for filters this h5py
lacks, of the arrays written).

Covers: chunked with deflate, shuffle, fletcher32, lzf, and Blosc (32001) and Zstandard
(32015) chunks written directly (this h5py has neither filter); contiguous and compact
layouts; every chunk index (libver earliest: v1 B-tree; latest: fixed array, extensible
array, v2 B-tree, single chunk, implicit); reads left to HDF5 (scale-offset, szip,
12-bit integers, virtual datasets); big-endian types; never-written chunks with a
fill value; edge chunks; dimension-scale labels; element_size_um; several datasets in one
file and group paths; a user block; errors (types, filters, ambiguous files).

Usage: make_hdf5_fixtures.py OUT_DIR   (exit 77 when h5py, numcodecs or xxhash is missing)
"""
import os
import sys

# fixture_expected.py beside this script, from any working directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import h5py
    import numcodecs
    import numpy as np

    from fixture_expected import Fixtures, output_folder, values
except ImportError as e:  # the C++ test skips on 77
    print(f"make_hdf5_fixtures.py: {e}", file=sys.stderr)
    sys.exit(77)

BLOSC, ZSTD, LZ4 = 32001, 32015, 32004


def smooth(shape, dtype):
    """Values that compress (slow ramps), for codecs that store incompressible chunks raw."""
    idx = np.indices(shape, dtype=np.int64)
    return ((idx[-1] // 4 + idx[-2] // 3 + sum(idx[:-2]) * 5) % 200).astype(dtype)


class Hdf5Fixtures(Fixtures):
    format = "hdf5"

    def dataset(self, file, name, shape, dtype, data=None, key=None, libver="earliest", mode="a",
                declared_dims=None, **kwargs):
        """A dataset written whole through h5py; its expected values are read back by h5py."""
        data = values(shape, dtype) if data is None else data
        with h5py.File(self.path(file), mode, libver=libver) as f:
            f.create_dataset(name, shape=shape, dtype=dtype, **kwargs)[...] = data
        with h5py.File(self.path(file), "r") as f:
            read = f[name][...]
        self.entry(key or f"{file}:/{name.lstrip('/')}", read, declared_dims)
        return read


def filters(fx):
    fx.dataset("filters.h5", "gzip_shuffle", (5, 37, 41), "<u2", chunks=(2, 16, 16),
               compression="gzip", compression_opts=4, shuffle=True)
    fx.dataset("filters.h5", "gzip", (4, 25, 27), "<i2", chunks=(1, 25, 27), compression="gzip")
    fx.dataset("filters.h5", "fletcher32_shuffle_gzip", (4, 17, 19), "<u2", chunks=(3, 8, 8),
               compression="gzip", shuffle=True, fletcher32=True)
    fx.dataset("filters.h5", "fletcher32", (3, 11, 13), "<f8", chunks=(2, 5, 5), fletcher32=True)
    fx.dataset("filters.h5", "shuffle_only", (3, 10, 12), "<i4", chunks=(1, 10, 12), shuffle=True)
    fx.dataset("filters.h5", "lzf", (4, 40, 50), "<u2", data=smooth((4, 40, 50), "<u2"),
               chunks=(1, 40, 50), compression="lzf")
    fx.dataset("filters.h5", "lzf_shuffle", (3, 33, 35), "<i4", data=smooth((3, 33, 35), "<i4"),
               chunks=(2, 16, 16), compression="lzf", shuffle=True)


def direct_chunks(fx, file, name, data, chunks, filter_id, options, encode):
    """A chunked dataset whose filter this h5py lacks: declared optional (so h5py accepts
    it) and its chunks written already encoded, as the real filter would have."""
    with h5py.File(fx.path(file), "a") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk(chunks)
        dcpl.set_filter(filter_id, h5py.h5z.FLAG_OPTIONAL, options)
        space = h5py.h5s.create_simple(data.shape)
        dset = h5py.h5d.create(f.id, name.encode(), h5py.h5t.py_create(data.dtype), space, dcpl=dcpl)
        for start in np.ndindex(*[(s + c - 1) // c for s, c in zip(data.shape, chunks)]):
            offset = tuple(i * c for i, c in zip(start, chunks))
            block = np.zeros(chunks, dtype=data.dtype)  # edge chunks are stored whole
            part = data[tuple(slice(o, o + c) for o, c in zip(offset, chunks))]
            block[tuple(slice(0, s) for s in part.shape)] = part
            dset.write_direct_chunk(offset, encode(block.tobytes()), 0)


def plugin_filters(fx):
    shape, chunks = (3, 30, 34), (2, 16, 16)
    for cname, shuffle, code in (("lz4", 1, 1), ("zstd", 2, 5), ("blosclz", 0, 0)):
        data = values(shape, "<u2")
        codec = numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffle)
        block_bytes = int(np.prod(chunks)) * 2
        direct_chunks(fx, "plugins.h5", f"blosc_{cname}", data, chunks, BLOSC,
                      (2, 2, 2, block_bytes, 5, shuffle, code),
                      lambda b, codec=codec: codec.encode(np.frombuffer(b, dtype="<u2")))
        fx.entry(f"plugins.h5:/blosc_{cname}", data)
    data = values((2, 21, 23), "<i4")
    direct_chunks(fx, "plugins.h5", "zstd", data, (1, 21, 23), ZSTD, (3,), numcodecs.Zstd(level=3).encode)
    fx.entry("plugins.h5:/zstd", data)


def library_read(fx):
    """What strata leaves to HDF5's own H5Dread: filters it does not decode itself
    (scale-offset, szip when this HDF5 has it), integers with padding bits, virtual datasets."""
    fx.dataset("library.h5", "scaleoffset", (3, 20, 21), "<i4", chunks=(1, 20, 21), scaleoffset=0)
    if h5py.h5z.filter_avail(h5py.h5z.FILTER_SZIP):
        fx.dataset("library.h5", "szip", (3, 20, 22), "<u2", chunks=(1, 20, 22), compression="szip")
    data = values((3, 14, 15), "<u2") % 4096
    for name, chunks in (("precision12_contiguous", None), ("precision12_chunked", (2, 7, 7))):
        with h5py.File(fx.path("library.h5"), "a") as f:
            twelve_bits = h5py.h5t.STD_U16BE.copy()
            twelve_bits.set_precision(12)
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            if chunks:
                dcpl.set_chunk(chunks)
                dcpl.set_deflate(1)
            space = h5py.h5s.create_simple(data.shape)
            h5py.h5d.create(f.id, name.encode(), twelve_bits, space, dcpl=dcpl).write(
                h5py.h5s.ALL, h5py.h5s.ALL, data)
        with h5py.File(fx.path("library.h5"), "r") as f:
            fx.entry(f"library.h5:/{name}", f[name][...].astype("<u2"))
    with h5py.File(fx.path("library.h5"), "a") as f:  # only h5py's HDF5 has lzf
        twelve_bits = h5py.h5t.STD_U16LE.copy()
        twelve_bits.set_precision(12)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((1, 14, 15))
        dcpl.set_filter(h5py.h5z.FILTER_LZF, h5py.h5z.FLAG_OPTIONAL)
        h5py.h5d.create(f.id, b"precision12_lzf", twelve_bits, h5py.h5s.create_simple(data.shape), dcpl=dcpl).write(
            h5py.h5s.ALL, h5py.h5s.ALL, data)
    fx.error("library.h5:/precision12_lzf", "HDF5 lacks filter lzf (id 32000)",
             "padding bits need HDF5's conversion, and this HDF5 has no lzf filter")

    # A virtual dataset: three planes from datasets of its own file ("."), the fourth never
    # mapped (fill).
    layout = h5py.VirtualLayout(shape=(4, 12, 13), dtype="<i2")
    for z in range(3):
        layout[z] = h5py.VirtualSource(".", f"plane{z}", shape=(12, 13))
    with h5py.File(fx.path("virtual.h5"), "w") as f:
        for z in range(3):
            f[f"plane{z}"] = values((12, 13), "<i2") + z
        f.create_virtual_dataset("stack", layout, fillvalue=-1)
    with h5py.File(fx.path("virtual.h5"), "r") as f:
        fx.entry("virtual.h5:/stack", f["stack"][...])
    # The same from another file: refused unless --allow-external (tests/integration/
    # check_confinement.py reads it allowed).
    with h5py.File(fx.path("virtual_sources.h5"), "w") as f:
        for z in range(3):
            f[f"plane{z}"] = values((12, 13), "<i2") + z
    layout = h5py.VirtualLayout(shape=(4, 12, 13), dtype="<i2")
    for z in range(3):
        layout[z] = h5py.VirtualSource("virtual_sources.h5", f"plane{z}", shape=(12, 13))
    with h5py.File(fx.path("virtual_other.h5"), "w") as f:
        f.create_virtual_dataset("stack", layout, fillvalue=-1)
    fx.error("virtual_other.h5:/stack", 'is a virtual dataset reading other files: "virtual_sources.h5"',
             "a virtual dataset's sources in other files are read only with --allow-external (docs/security.md)")


def layouts(fx):
    fx.dataset("layouts.h5", "contiguous_u1", (4, 30, 33), "|u1")
    fx.dataset("layouts.h5", "contiguous_f4", (2, 21, 17), "<f4")
    fx.dataset("layouts.h5", "contiguous_rank1", (101,), "<f8")
    data = values((6, 9), "<i2")
    with h5py.File(fx.path("layouts.h5"), "a") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        space = h5py.h5s.create_simple(data.shape)
        h5py.h5d.create(f.id, b"compact_i2", h5py.h5t.STD_I16LE, space, dcpl=dcpl).write(
            h5py.h5s.ALL, h5py.h5s.ALL, data)
    fx.entry("layouts.h5:/compact_i2", data)
    fx.dataset("layouts.h5", "edge_chunks", (7, 33, 35), "<i2", chunks=(3, 8, 16))
    fx.dataset("layouts.h5", "rank6", (2, 2, 3, 2, 9, 8), "<u2", chunks=(1, 2, 2, 1, 5, 5))
    fx.dataset("layouts.h5", "rank2_u1", (30, 41), "|u1", chunks=(16, 16), compression="gzip")
    # HDF5's storage layout, as `strata info --json` reports it ("storage").
    for name, storage in (("contiguous_u1", "contiguous"), ("compact_i2", "compact"),
                          ("edge_chunks", "chunked")):
        fx.expected[f"layouts.h5:/{name}"]["storage"] = storage


def chunk_indexes(fx):
    """The same array under every chunk index HDF5 has."""
    shape, dtype = (5, 19, 23), "<u2"
    fx.dataset("index_v1_btree.h5", "data", shape, dtype, chunks=(2, 8, 8), compression="gzip", mode="w")
    fx.dataset("index_fixed_array.h5", "data", shape, dtype, libver="latest", mode="w",
               chunks=(2, 8, 8), compression="gzip")
    fx.dataset("index_extensible_array.h5", "data", shape, dtype, libver="latest", mode="w",
               chunks=(2, 8, 8), maxshape=(None, 19, 23), compression="gzip")
    fx.dataset("index_v2_btree.h5", "data", shape, dtype, libver="latest", mode="w",
               chunks=(2, 8, 8), maxshape=(None, None, 23), compression="gzip")
    fx.dataset("index_single_chunk.h5", "data", shape, dtype, libver="latest", mode="w",
               chunks=shape, compression="gzip")
    # Chunks larger than the array need extendable dims.
    fx.dataset("index_v2_btree.h5", "chunk_larger_than_array", (3, 5, 6), dtype, libver="latest",
               chunks=(4, 8, 8), maxshape=(None, None, None))
    data = values(shape, dtype)
    with h5py.File(fx.path("index_implicit.h5"), "w", libver="latest") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((2, 8, 8))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        space = h5py.h5s.create_simple(shape)
        h5py.h5d.create(f.id, b"data", h5py.h5t.STD_U16LE, space, dcpl=dcpl).write(
            h5py.h5s.ALL, h5py.h5s.ALL, data)
    fx.entry("index_implicit.h5", data)


def dtypes(fx):
    for t in ("|u1", "|i1", "<u2", ">u2", "<i2", ">i2", "<u4", ">u4", "<i4", ">i4",
              "<u8", ">u8", "<i8", ">i8", "<f4", ">f4", "<f8", ">f8"):
        name = "dtype_" + t.replace("<", "le_").replace(">", "be_").replace("|", "")
        fx.dataset("dtypes.h5", name + "_chunked", (4, 9, 10), t, chunks=(3, 4, 4),
                   compression="gzip", shuffle=True)
        fx.dataset("dtypes.h5", name + "_contiguous", (3, 7, 6), t)


def fill_values(fx):
    def partial(name, shape, chunks, dtype, fill, written, **kwargs):
        full = values(shape, dtype)
        with h5py.File(fx.path("fill.h5"), "a") as f:
            d = f.create_dataset(name, shape=shape, chunks=chunks, dtype=dtype, fillvalue=fill, **kwargs)
            for region in written:
                d[region] = full[region]
        with h5py.File(fx.path("fill.h5"), "r") as f:
            fx.entry(f"fill.h5:/{name}", f[name][...])

    partial("fill_minus7", (4, 20, 20), (2, 10, 10), "<i2", -7,
            [np.s_[0:2, 0:10, 0:10], np.s_[2:4, 10:20, 0:20]], compression="gzip")
    partial("fill_nan_be", (3, 12, 13), (2, 5, 5), ">f4", np.nan, [np.s_[0:2, 0:5, 5:10]])
    partial("fill_never_written", (3, 8, 8), (1, 4, 4), "<u2", 5, [])
    partial("fill_default_zero", (2, 9, 9), (1, 4, 4), "<f8", 0, [np.s_[1:2, 4:8, 4:8]], shuffle=True)


def dimension_labels(fx):
    with h5py.File(fx.path("labels.h5"), "w") as f:
        d = f.create_dataset("zyx", data=values((5, 21, 19), "<u2"), chunks=(1, 21, 19), compression="gzip")
        for axis, label in zip(d.dims, "zyx"):
            axis.label = label
        d = f.create_dataset("czyx", data=values((3, 4, 11, 13), "<i2"))
        for axis, label in zip(d.dims, "CZYX"):
            axis.label = label
        d = f.create_dataset("tyx_sized", data=values((2, 15, 17), "<f4"))
        for axis, label in zip(d.dims, "tyx"):
            axis.label = label
        d.attrs["element_size_um"] = np.array([1.0, 0.25, 0.125])
        d = f.create_dataset("partly_labelled", data=values((3, 8, 9), "|u1"))
        d.dims[0].label = "z"
        d = f.create_dataset("word_labels", data=values((3, 8, 9), "|u1"))
        for axis, label in zip(d.dims, ("depth", "height", "width")):
            axis.label = label
    with h5py.File(fx.path("labels.h5"), "r") as f:
        fx.entry("labels.h5:/zyx", f["zyx"][...], "ZYX")
        fx.entry("labels.h5:/czyx", f["czyx"][...], "CZYX")
        fx.entry("labels.h5:/tyx_sized", f["tyx_sized"][...], "TYX", physical_sizes={
            "T": {"value": 1.0, "unit": "µm"}, "Y": {"value": 0.25, "unit": "µm"},
            "X": {"value": 0.125, "unit": "µm"}})
        fx.entry("labels.h5:/partly_labelled", f["partly_labelled"][...])
        fx.entry("labels.h5:/word_labels", f["word_labels"][...])


def finding_datasets(fx):
    # One image plus its dimension scales and a table: the file alone names the image.
    with h5py.File(fx.path("one_image.h5"), "w") as f:
        img = f.create_dataset("acquisition/image", data=values((4, 13, 17), "<u2"), chunks=(1, 13, 17))
        for axis, name, n in zip(img.dims, "zyx", img.shape):
            f[f"scales/{name}"] = np.arange(n, dtype="<f8") * 0.5
            f[f"scales/{name}"].make_scale(name)
            axis.attach_scale(f[f"scales/{name}"])
        f["notes"] = np.array([b"acquired", b"on", b"monday"])
        f["exposure"] = 0.25
    with h5py.File(fx.path("one_image.h5"), "r") as f:
        fx.entry("one_image.h5", f["acquisition/image"][...])

    with h5py.File(fx.path("several.h5"), "w") as f:
        f["raw/a"] = values((3, 6, 7), "<u2")
        f["raw/b"] = values((8, 9), "<i4")
        f["labels/mask"] = values((6, 7), "|u1")
        f["labels/counts"] = values((10,), "<u4")
    with h5py.File(fx.path("several.h5"), "r") as f:
        fx.entry("several.h5:/raw/b", f["raw/b"][...])
        fx.entry("several.h5:/labels", f["labels/mask"][...])  # the group's one image
        fx.entry("several.h5:/labels/counts", f["labels/counts"][...])  # rank 1, named
    fx.error("several.h5", "/raw/a (3x6x7 uint16), /raw/b (8x9 int32)",
             "three image datasets: which one is ambiguous")
    fx.error("several.h5:/raw", "/raw/a", "a group holding two image datasets")
    fx.error("several.h5:/missing", "no object /missing", "no such dataset")

    with h5py.File(fx.path("userblock.h5"), "w", userblock_size=512) as f:
        f.create_dataset("data", data=values((3, 10, 11), "<u2"), chunks=(1, 10, 11), compression="gzip")
        f.create_dataset("contiguous", data=values((2, 10, 11), "<i2"))
    with open(fx.path("userblock.h5"), "r+b") as f:
        f.write(b"a user block written by some instrument software".ljust(512, b"\0"))
    with h5py.File(fx.path("userblock.h5"), "r") as f:
        fx.entry("userblock.h5:/data", f["data"][...])
        fx.entry("userblock.h5:/contiguous", f["contiguous"][...])


def errors(fx):
    with h5py.File(fx.path("errors.h5"), "w") as f:
        f.create_dataset("float16", data=values((4, 5), "<f2"))
        f.create_dataset("strings", data=np.array([[b"a", b"b"], [b"c", b"d"]]))
        f.create_dataset("compound", data=np.zeros((3, 3), dtype=[("x", "<i4"), ("y", "<f4")]))
        f.create_dataset("complex", data=np.zeros((3, 3), dtype="<c8"))
        f.create_dataset("scalar", data=7)
        f.create_dataset("null", data=h5py.Empty("<i2"))
        f.create_dataset("empty", shape=(0, 5), dtype="<u2")
    fx.error("errors.h5:/float16", "float16", "float16 has no strata dtype")
    fx.error("errors.h5:/strings", "string", "not numbers")
    fx.error("errors.h5:/compound", "compound", "structs are not images")
    fx.error("errors.h5:/complex", "compound", "h5py stores complex numbers as compounds")
    fx.error("errors.h5:/scalar", "scalar", "a scalar is not an array")
    fx.error("errors.h5:/null", "null dataspace", "no elements")
    fx.error("errors.h5:/empty", "is empty", "a zero-length axis")
    fx.error("errors.h5", "holds no image dataset", "nothing readable")
    data = values((2, 8, 8), "<u2")
    direct_chunks(fx, "lz4.h5", "data", data, (1, 8, 8), LZ4, (), lambda b: b)
    fx.error("lz4.h5:/data", "filter lz4 (id 32004) is not available", "a filter neither HDF5 nor strata has")


def main():
    fx = Hdf5Fixtures(output_folder(__doc__))
    filters(fx)
    plugin_filters(fx)
    library_read(fx)
    layouts(fx)
    chunk_indexes(fx)
    dtypes(fx)
    fill_values(fx)
    dimension_labels(fx)
    finding_datasets(fx)
    errors(fx)
    fx.write()


if __name__ == "__main__":
    main()
