#!/usr/bin/python3
"""Writes Zarr v2 / OME-Zarr test fixtures with zarr-python 2.x + numcodecs, and an
expected.json beside them (its schema and the fixtures' values: fixture_expected.py); the
xxh3s are of the arrays as zarr-python reads them.

Usage: make_zarr_fixtures.py OUT_DIR   (exit 77 when zarr-python or numcodecs is missing)
"""
import json
import os
import sys

# fixture_expected.py beside this script, from any working directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import numcodecs
    import numpy as np
    import zarr

    from fixture_expected import Fixtures, output_folder, values
except ImportError as e:  # the C++ test skips on 77
    print(f"make_zarr_fixtures.py: {e}", file=sys.stderr)
    sys.exit(77)

class ZarrFixtures(Fixtures):
    format = "zarr"

    def array(self, name, shape, chunks, dtype, entry=True, **kwargs):
        """A fully written array; its expected values are read back by zarr-python."""
        a = zarr.open_array(self.path(name), mode="w", shape=shape, chunks=chunks, dtype=dtype, **kwargs)
        a[...] = values(shape, dtype)
        if entry:
            self.entry(name, zarr.open_array(self.path(name), mode="r")[...])
        return a


def blosc_variants(fx):
    for cname in ("blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"):
        for shuffle in (0, 1, 2):
            fx.array(f"blosc_{cname}_shuffle{shuffle}.zarr", (3, 20, 30), (2, 7, 11), "<u2",
                     compressor=numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffle))


def dtypes(fx):
    for t in ("|u1", "|i1", "<u2", ">u2", "<i2", ">i2", "<u4", ">u4", "<i4", ">i4",
              "<u8", ">u8", "<i8", ">i8", "<f2", ">f2", "<f4", ">f4", "<f8", ">f8", "|b1"):
        name = "dtype_" + t.replace("<", "le_").replace(">", "be_").replace("|", "") + ".zarr"
        fx.array(name, (4, 9, 10), (3, 4, 4), t)


def compressors(fx):
    for name, compressor in (("zlib", numcodecs.Zlib(level=1)), ("gzip", numcodecs.GZip(level=1)),
                             ("zstd", numcodecs.Zstd(level=3)), ("raw", None)):
        fx.array(f"compressor_{name}.zarr", (6, 25, 27), (2, 10, 10), "<i2", compressor=compressor)
        # Whole chunks that land in contiguous memory (one plane per chunk): the direct path.
        fx.array(f"compressor_{name}_planes.zarr", (3, 25, 27), (1, 25, 27), "<u2", compressor=compressor)
    # z5py writes zlib streams under the id "gzip" (zarr-python cannot read them; z5 can).
    fx.array("compressor_gzip_id_zlib_data.zarr", (4, 12, 13), (2, 5, 5), "<u2", compressor=numcodecs.Zlib(level=5))
    patch_zarray(fx.path("compressor_gzip_id_zlib_data.zarr"), compressor={"id": "gzip", "level": 5})


def layouts(fx):
    fx.array("order_f.zarr", (5, 11, 13), (2, 4, 5), "<u2", order="F")
    fx.array("order_f_be_f8_zlib.zarr", (4, 6, 7, 9), (3, 2, 4, 5), ">f8", order="F",
             compressor=numcodecs.Zlib(level=1))
    fx.array("nested.zarr", (3, 17, 19), (2, 8, 8), "<u2", dimension_separator="/")
    fx.array("edge_chunks.zarr", (7, 33, 35), (3, 8, 16), "<i2")
    fx.array("z_chunks.zarr", (6, 40, 50), (3, 40, 50), "<u2")
    fx.array("yx_blocks.zarr", (2, 64, 64), (1, 16, 32), "<u2")
    fx.array("chunk_larger_than_array.zarr", (3, 5, 6), (4, 8, 8), "<u2")
    fx.array("rank1.zarr", (101,), (10,), "<f4")
    fx.array("rank2.zarr", (30, 41), (16, 16), "|u1")
    fx.array("rank6.zarr", (2, 2, 3, 2, 9, 8), (1, 2, 2, 1, 5, 5), "<u2")


def partial(fx, name, shape, chunks, dtype, fill_value, missing_value, written, **kwargs):
    """An array where only the `written` regions were stored: the other chunks read as the
    fill value (`missing_value`: what a reader must return there)."""
    a = zarr.open_array(fx.path(name), mode="w", shape=shape, chunks=chunks, dtype=dtype,
                        fill_value=fill_value, **kwargs)
    full = values(shape, dtype)
    expected = np.full(shape, missing_value, dtype=dtype)
    for region in written:
        a[region] = full[region]
        expected[region] = full[region]
    fx.entry(name, expected)


def missing_chunks(fx):
    partial(fx, "missing_fill7.zarr", (4, 20, 20), (2, 10, 10), "<u2", 7, 7,
            [np.s_[0:2, 0:10, 0:10], np.s_[2:4, 10:20, 0:20]])
    partial(fx, "missing_nan_be.zarr", (3, 12, 13), (2, 5, 5), ">f4", np.nan, np.nan,
            [np.s_[0:2, 0:5, 5:10], np.s_[2:3, 5:12, :]], order="F")
    partial(fx, "missing_neginf.zarr", (2, 9, 9), (1, 4, 4), "<f8", -np.inf, -np.inf,
            [np.s_[0:1, 4:8, 4:8]])
    partial(fx, "missing_inf_nested.zarr", (2, 9, 9), (1, 4, 4), "<f4", np.inf, np.inf,
            [np.s_[1:2, 0:9, 0:4]], dimension_separator="/")
    # No fill value declared: zarr-python leaves such elements uninitialized; strata
    # reads them as zeros.
    partial(fx, "missing_null_fill.zarr", (3, 10, 10), (2, 4, 4), "<i4", None, 0,
            [np.s_[0:2, 0:4, 0:8]])
    partial(fx, "missing_all.zarr", (2, 6, 7), (1, 3, 3), "<i2", -5, -5, [])
    # fill_value written as a string, as bioformats2raw does.
    partial(fx, "fill_string.zarr", (2, 10, 11), (1, 5, 5), "|u1", 42, 42, [np.s_[0:1, 0:5, 0:5]])
    patch_zarray(fx.path("fill_string.zarr"), fill_value="42")
    partial(fx, "fill_string_float.zarr", (2, 10, 11), (1, 5, 5), "<f4", 1.5, 1.5, [np.s_[1:2, 5:10, :]])
    patch_zarray(fx.path("fill_string_float.zarr"), fill_value="1.5")


def patch_zarray(path, **changes):
    with open(os.path.join(path, ".zarray")) as f:
        meta = json.load(f)
    meta.update(changes)
    with open(os.path.join(path, ".zarray"), "w") as f:
        json.dump(meta, f, indent=4)


def write_attrs(path, attrs):
    with open(os.path.join(path, ".zattrs"), "w") as f:
        json.dump(attrs, f, indent=2)


def multiscale_image(fx, name, shape, chunks, dtype, levels, attrs_for):
    """A group holding `levels` arrays "0", "1", ... (each 2x smaller in Y and X) and the
    NGFF attributes attrs_for(dataset paths) returns. Returns the level arrays' data."""
    root = zarr.open_group(fx.path(name), mode="w")
    data = []
    for level in range(levels):
        level_shape = tuple(shape[:-2]) + tuple((s + (1 << level) - 1) >> level for s in shape[-2:])
        a = root.create_dataset(str(level), shape=level_shape, chunks=chunks, dtype=dtype)
        a[...] = values(level_shape, dtype) // (level + 1) if np.dtype(dtype).kind != "f" else values(level_shape, dtype)
        data.append(zarr.open_array(fx.path(f"{name}/{level}"), mode="r")[...])
    write_attrs(fx.path(name), attrs_for([str(i) for i in range(levels)]))
    return data


def ome_zarr(fx):
    axes = [{"name": "t", "type": "time", "unit": "second"}, {"name": "c", "type": "channel"},
            {"name": "z", "type": "space", "unit": "micrometer"},
            {"name": "y", "type": "space", "unit": "micrometer"},
            {"name": "x", "type": "space", "unit": "micrometer"}]

    def ngff04(paths):
        return {"multiscales": [{"version": "0.4", "name": "img", "axes": axes, "datasets": [
            {"path": p, "coordinateTransformations": [
                {"type": "scale", "scale": [1.0, 1.0, 0.5, 0.2 * 2 ** i, 0.2 * 2 ** i]}]}
            for i, p in enumerate(paths)]}],
            "omero": {"channels": [{"label": "DAPI"}, {"label": "GFP"}, {"label": "RFP"}]}}

    levels = multiscale_image(fx, "ngff04.ome.zarr", (2, 3, 4, 32, 30), (1, 1, 2, 16, 16), "<u2", 2, ngff04)
    # strata reports units in OME's symbols for every format ("micrometer" -> "µm"), and time too.
    sizes = lambda f: {"T": {"value": 1.0, "unit": "s"}, "Z": {"value": 0.5, "unit": "\u00b5m"},
                       "Y": {"value": 0.2 * f, "unit": "\u00b5m"}, "X": {"value": 0.2 * f, "unit": "\u00b5m"}}
    names = ["DAPI", "GFP", "RFP"]
    fx.entry("ngff04.ome.zarr", levels[0], "TCZYX", "ome-zarr", physical_sizes=sizes(1), channel_names=names)
    # One level opened as an array: dims still come from its image group.
    fx.entry("ngff04.ome.zarr/1", levels[1], "TCZYX", "ome-zarr", physical_sizes=sizes(2), channel_names=names)

    def ngff05(paths):  # 0.5 keeps NGFF attributes under "ome"
        return {"ome": {"version": "0.5", "multiscales": [{
            "axes": [{"name": "c", "type": "channel"}, {"name": "y", "type": "space"},
                     {"name": "x", "type": "space"}],
            "datasets": [{"path": p, "coordinateTransformations": [{"type": "scale", "scale": [1, 2, 2]}]}
                         for p in paths],
            "coordinateTransformations": [{"type": "scale", "scale": [1, 0.5, 0.5]}]}]}}

    levels = multiscale_image(fx, "ngff05.ome.zarr", (2, 21, 23), (1, 8, 8), "<f4", 1, ngff05)
    # Scales multiply to 1 with no unit: no physical size at all.
    fx.entry("ngff05.ome.zarr", levels[0], "CYX", "ome-zarr", physical_sizes={})

    def ngff03(paths):  # 0.3 names axes by strings
        return {"multiscales": [{"version": "0.3", "axes": ["z", "y", "x"],
                                 "datasets": [{"path": p} for p in paths]}]}

    levels = multiscale_image(fx, "ngff03.ome.zarr", (5, 19, 17), (2, 10, 10), "|u1", 1, ngff03)
    fx.entry("ngff03.ome.zarr", levels[0], "ZYX", "ome-zarr")

    # bioformats2raw.layout 1: root group -> series "0" -> multiscales 0.1 without axes.
    root = fx.path("bioformats2raw.zarr")
    zarr.open_group(root, mode="w")
    write_attrs(root, {"bioformats2raw.layout": 1})
    zarr.open_group(os.path.join(root, "OME"), mode="w")
    write_attrs(os.path.join(root, "OME"), {"series": ["0"]})
    levels = multiscale_image(fx, "bioformats2raw.zarr/0", (1, 2, 3, 20, 22), (1, 1, 1, 20, 22), "|i1", 2,
                              lambda paths: {"multiscales": [{"version": "0.1",
                                                              "datasets": [{"path": p} for p in paths]}]})
    patch_zarray(fx.path("bioformats2raw.zarr/0/0"), fill_value="0", filters=[])
    fx.entry("bioformats2raw.zarr", levels[0], None, "ome-zarr")
    fx.entry("bioformats2raw.zarr/0/1", levels[1], None, "ome-zarr")


def groups(fx):
    g = zarr.open_group(fx.path("group_one.zarr"), mode="w")
    a = g.create_dataset("data", shape=(3, 14, 15), chunks=(1, 7, 7), dtype="<u2")
    a[...] = values((3, 14, 15), "<u2")
    fx.entry("group_one.zarr", zarr.open_array(fx.path("group_one.zarr/data"), mode="r")[...])

    g = zarr.open_group(fx.path("group_two.zarr"), mode="w")
    for n in ("a", "b"):
        g.create_dataset(n, shape=(4, 4), chunks=(2, 2), dtype="|u1")
    fx.error("group_two.zarr", "open one of them: a, b", "a plain group holding two arrays: which one is ambiguous")


def errors(fx):
    fx.array("err_bz2.zarr", (10, 10), (5, 5), "<f4", entry=False, compressor=numcodecs.BZ2(level=1))
    fx.error("err_bz2.zarr", "compressor 'bz2' is not supported", "bz2 is outside blosc/zlib/gzip/zstd")
    fx.array("err_filter.zarr", (10, 10), (5, 5), "<i4", entry=False, filters=[numcodecs.Delta(dtype="<i4")])
    fx.error("err_filter.zarr", "filter 'delta' is not supported", "filters are not supported")
    for t, name in (("<c8", "complex"), ("<U4", "string")):
        zarr.open_array(fx.path(f"err_dtype_{name}.zarr"), mode="w", shape=(4,), chunks=(2,), dtype=t)
        fx.error(f"err_dtype_{name}.zarr", f"unsupported dtype '{t}'", f"{name} has no strata dtype")

    os.makedirs(fx.path("err_v3_empty_group.zarr"), exist_ok=True)
    with open(fx.path("err_v3_empty_group.zarr/zarr.json"), "w") as f:
        json.dump({"zarr_format": 3, "node_type": "group"}, f)
    fx.error("err_v3_empty_group.zarr", "Zarr v3 group holds no array", "a Zarr v3 group without arrays")

    fx.array("err_bad_json.zarr", (4, 4), (2, 2), "|u1", entry=False)
    with open(fx.path("err_bad_json.zarr/.zarray"), "w") as f:
        f.write('{"shape": [4, 4], "chunks": [2, 2],')
    fx.error("err_bad_json.zarr", "invalid JSON", "a truncated .zarray")

    fx.array("err_corrupt_chunk.zarr", (4, 8, 8), (2, 8, 8), "<u2", entry=False)
    chunk = fx.path("err_corrupt_chunk.zarr/1.0.0")
    with open(chunk, "r+b") as f:
        f.truncate(20)
    fx.error("err_corrupt_chunk.zarr", "1.0.0", "a truncated Blosc chunk", at="read")

    fx.array("err_raw_short_chunk.zarr", (4, 8, 8), (2, 8, 8), "<u2", entry=False, compressor=None)
    with open(fx.path("err_raw_short_chunk.zarr/0.0.0"), "r+b") as f:
        f.truncate(100)
    fx.error("err_raw_short_chunk.zarr", "uncompressed chunk has 100 bytes", "a truncated raw chunk", at="read")


def main():
    fx = ZarrFixtures(output_folder(__doc__))
    blosc_variants(fx)
    dtypes(fx)
    compressors(fx)
    layouts(fx)
    missing_chunks(fx)
    ome_zarr(fx)
    groups(fx)
    errors(fx)
    fx.write()


if __name__ == "__main__":
    main()
