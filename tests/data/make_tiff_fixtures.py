#!/usr/bin/python3
"""Writes the TIFF fixtures of strata's integration tests and the values a reader must return.

usage: /usr/bin/python3 make_tiff_fixtures.py OUTDIR

Every fixture is built from a NumPy array in canonical order (T, C, Z, Y, X, plus a trailing
S for samples per pixel > 1) whose values are a function of their coordinates (a 64-bit mix
of the linear index and a per-file seed, spread over the dtype's whole range), so a plane,
tile, strip or sample put in the wrong place changes the checksum. Planes are 37 x 53 so
16 x 16 tiles and multi-row strips are partial at the edges. Files come from tifffile
(OME-TIFF in every DimensionOrder, ImageJ hyperstacks, plain pages, RGB, tiles, deflate,
BigTIFF, big-endian, palette), from libtiff's tiffcp (LZW, zstd, PackBits, float predictor,
JPEG: its expected pixels are libtiff's tiff2rgba decoding)
and, for the multi-file OME-TIFF and packed 12-bit samples, written here byte by byte. Each
file is read back (tifffile, after `tiffcp -c none` where tifffile lacks the codec; packed
12-bit strips unpacked here with NumPy) and compared with its array before
OUTDIR/expected.json is written, in the schema of shared/real-data/expected.json plus:
  "selections": [{"select": "C=1", "shape": [...], "xxh3": "..."}, ...]
  "physical_sizes": {"X": {"value": 0.25, "unit": "µm"}, ...}   (OME fixtures)
  "channel_names": ["DAPI", ...]                                 (OME fixtures)
  "storage", "block_shape", "palette": what `strata info --json` reports (some fixtures)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
import zlib

import numpy as np
import tifffile
import xxhash

PLANE_Y, PLANE_X = 37, 53
TILE = (16, 16)


# ---------------------------------------------------------------- ground truth

def coordinate_values(shape, dtype, seed):
    """Values that differ with every coordinate: splitmix64 of (linear index + seed)."""
    dtype = np.dtype(dtype)
    h = np.arange(int(np.prod(shape)), dtype=np.uint64) + np.uint64(seed)
    with np.errstate(over="ignore"):
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(31)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
    if dtype.kind in "ui":
        bits = dtype.itemsize * 8
        unsigned = (h >> np.uint64(64 - bits)).astype(f"u{dtype.itemsize}")
        return unsigned.view(dtype).reshape(shape)
    # Floats: random sign and mantissa, exponents across most of the finite range.
    mantissa_bits, max_exp = (23, 120) if dtype.itemsize == 4 else (52, 1000)
    mantissa = 1 + (h >> np.uint64(12) & np.uint64((1 << mantissa_bits) - 1)) / 2.0**mantissa_bits
    exponent = (h % np.uint64(2 * max_exp + 1)).astype(np.int64) - max_exp
    sign = np.where(h >> np.uint64(63) == 1, -1.0, 1.0)
    return (sign * np.ldexp(mantissa, exponent)).astype(dtype).reshape(shape)


def canonical(dtype, name, t=1, c=1, z=1, s=1):
    """The canonical TCZYX(S) array of fixture `name` (S only when s > 1)."""
    shape = (t, c, z, PLANE_Y, PLANE_X) + ((s,) if s > 1 else ())
    return coordinate_values(shape, dtype, seed=zlib.crc32(name.encode()))


def dims_of(array):
    return "TCZYXS"[: array.ndim]


def to_axes(array, axes):
    """The canonical array laid out in `axes` (e.g. "ZCYX"); dropped axes must have length 1."""
    dims = dims_of(array)
    for axis, length in zip(dims, array.shape):
        if axis not in axes and length != 1:
            raise ValueError(f"axis {axis} of length {length} missing from {axes}")
    squeezed = array.reshape([n for a, n in zip(dims, array.shape) if a in axes])
    kept = [a for a in dims if a in axes]
    return squeezed.transpose([kept.index(a) for a in axes])


def from_axes(array, axes):
    """An array in tifffile's `axes` (I/Q = pages -> Z) turned into canonical order."""
    axes = axes.replace("I", "Z").replace("Q", "Z")
    canon = "TCZYXS" if "S" in axes else "TCZYX"
    if sorted(axes) != sorted(set(axes)) or not set(axes) <= set(canon):
        raise ValueError(f"cannot map axes {axes!r} to {canon}")
    for axis in canon:
        if axis not in axes:
            array, axes = array[np.newaxis], axis + axes
    return array.transpose([axes.index(a) for a in canon])


def xxh3(array):
    little = array.astype(array.dtype.newbyteorder("<"), copy=False)
    return xxhash.xxh3_64_hexdigest(np.ascontiguousarray(little).tobytes())


def select(array, text):
    """NumPy's answer to a strata selection such as "C=1,Z=2:5" (an index keeps its axis)."""
    dims = dims_of(array)
    index = [slice(None)] * array.ndim
    for part in text.split(","):
        axis, value = part.split("=")
        position = dims.index(axis.strip().upper())
        if ":" in value:
            start, stop = value.split(":")
            index[position] = slice(int(start) if start else None, int(stop) if stop else None)
        else:
            index[position] = slice(int(value), int(value) + 1)
    return array[tuple(index)]


# ---------------------------------------------------------------- writers

class Fixture:
    """One file a reader must open: its canonical array and what to check beyond pixels."""

    def __init__(self, name, array, fmt, how, selections, physical_sizes=None,
                 channel_names=None, decode_with_tiffcp=False, levels=None, info=None,
                 packed_bits=None, lossy_reference=False):
        self.name, self.array, self.format, self.how = name, array, fmt, how
        self.info = info or {}  # keys of `strata info --json` and their values
        self.packed_bits = packed_bits  # BitsPerSample of packed samples tifffile cannot read
        self.lossy_reference = lossy_reference  # the array is a decoder's output: no read-back
        self.levels = levels  # reduced resolutions (SubIFD levels 1, 2, ...), canonical order
        self.selections = selections
        self.physical_sizes, self.channel_names = physical_sizes, channel_names
        self.decode_with_tiffcp = decode_with_tiffcp  # tifffile lacks the codec

    def expected(self):
        entry = {
            "format": self.format,
            "writer": self.how,
            "dims": dims_of(self.array),
            "shape": list(self.array.shape),
            "dtype": self.array.dtype.name,
            "xxh3": xxh3(self.array),
            "selections": [
                {"select": s, "shape": list(select(self.array, s).shape),
                 "xxh3": xxh3(select(self.array, s))}
                for s in self.selections],
        }
        if self.physical_sizes:
            entry["physical_sizes"] = self.physical_sizes
        if self.channel_names:
            entry["channel_names"] = self.channel_names
        if self.levels:
            entry["levels"] = [{"shape": list(level.shape), "xxh3": xxh3(level)}
                               for level in [self.array] + self.levels]
        entry.update(self.info)
        return entry


def ome_fixture(out, name, dtype, axes, sizes, selections, named=False, **write_args):
    """An OME-TIFF written by tifffile with the given axis order (-> DimensionOrder)."""
    array = canonical(dtype, name, **sizes)
    metadata = {"axes": axes}
    physical_sizes = channel_names = None
    if named:
        metadata.update(PhysicalSizeX=0.25, PhysicalSizeXUnit="µm",
                        PhysicalSizeY=0.5, PhysicalSizeYUnit="µm",
                        PhysicalSizeZ=1.5, PhysicalSizeZUnit="µm")
        channel_names = ["DAPI", "GFP", "mCherry", "Cy5"][: sizes.get("c", 1)]
        metadata["Channel"] = {"Name": channel_names}
        physical_sizes = {a: {"value": v, "unit": "µm"} for a, v in
                          (("X", 0.25), ("Y", 0.5), ("Z", 1.5))}
    photometric = "rgb" if "S" in axes else "minisblack"
    tifffile.imwrite(os.path.join(out, name), to_axes(array, axes), ome=True,
                     metadata=metadata, photometric=photometric, **write_args)
    how = f"tifffile {tifffile.__version__} ome=True axes={axes} {describe(write_args)}"
    return Fixture(name, array, "ome-tiff", how.strip(), selections, physical_sizes, channel_names)


def pyramid_fixture(out, name, dtype, sizes, levels, selections, **write_args):
    """An OME-TIFF pyramid as Bio-Formats 6+ lays it out (tifffile): each page's reduced
    resolutions in its SubIFDs; level k+1 keeps every second row and column of level k."""
    array = canonical(dtype, name, **sizes)
    reduced = [array[..., ::2 ** k, ::2 ** k] for k in range(1, levels)]
    with tifffile.TiffWriter(os.path.join(out, name), ome=True) as tif:
        tif.write(array, subifds=levels - 1, metadata={"axes": "TCZYX"}, **write_args)
        for level in reduced:
            tif.write(level, subfiletype=1, metadata=None, **write_args)
    how = f"tifffile {tifffile.__version__} ome=True subifds={levels - 1} {describe(write_args)}"
    return Fixture(name, array, "ome-tiff", how.strip(), selections, levels=reduced)


def imagej_fixture(out, name, dtype, axes, sizes, selections, **write_args):
    array = canonical(dtype, name, **sizes)
    photometric = "rgb" if "S" in axes else "minisblack"
    tifffile.imwrite(os.path.join(out, name), to_axes(array, axes), imagej=True,
                     metadata={"axes": axes}, photometric=photometric, **write_args)
    how = f"tifffile {tifffile.__version__} imagej=True axes={axes} {describe(write_args)}"
    return Fixture(name, array, "imagej-tiff", how.strip(), selections)


def palette_fixture(out, name):
    """An indexed-colour TIFF (PhotometricInterpretation=3): the values are colour-map
    indices, and a reader returns them as stored, as Bio-Formats and tifffile do."""
    array = canonical("uint8", name)
    colormap = np.stack([np.arange(256) * 257, (255 - np.arange(256)) * 257,
                         np.full(256, 32768)]).astype(np.uint16)
    tifffile.imwrite(os.path.join(out, name), to_axes(array, "YX"), photometric="palette",
                     colormap=colormap, metadata=None)
    how = f"tifffile {tifffile.__version__} photometric=palette"
    return Fixture(name, array, "tiff", how, ["Y=1:4"], info={"palette": True})


def plain_fixture(out, name, dtype, axes, sizes, selections, info=None, **write_args):
    """A TIFF without ImageJ/OME/tifffile metadata: pages are Z."""
    array = canonical(dtype, name, **sizes)
    photometric = "rgb" if "S" in axes else "minisblack"
    tifffile.imwrite(os.path.join(out, name), to_axes(array, axes), metadata=None,
                     photometric=photometric, **write_args)
    how = f"tifffile {tifffile.__version__} metadata=None axes={axes} {describe(write_args)}"
    return Fixture(name, array, "tiff", how.strip(), selections, info=info)


def tiffcp_fixture(out, name, source, options, selections, info=None):
    """A copy of fixture `source` recompressed by libtiff's tiffcp (codecs tifffile cannot write)."""
    run(["tiffcp", *options, os.path.join(out, source.name), os.path.join(out, name)])
    how = f"tiffcp {' '.join(options)} {source.name}"
    return Fixture(name, source.array, source.format, how, selections,
                   source.physical_sizes, source.channel_names, decode_with_tiffcp=True,
                   info=info, packed_bits=source.packed_bits)


def jpeg_fixture(out, name, source, options, selections):
    """Fixture `source` (8-bit) JPEG-compressed by tiffcp (RGB as YCbCr subsampled 2x2). JPEG
    is lossy, so the pixels a reader must return are a decoder's: libtiff's TIFFReadRGBAImage
    (tiff2rgba), another path through libtiff and libjpeg than strata's (TIFFReadEncodedTile
    or Strip with JPEGCOLORMODE_RGB). tifffile cannot decode JPEG without imagecodecs."""
    path = os.path.join(out, name)
    run(["tiffcp", "-c", "jpeg", *options, os.path.join(out, source.name), path])
    with tempfile.TemporaryDirectory() as scratch:
        rgba_path = os.path.join(scratch, "rgba.tif")
        run(["tiff2rgba", "-c", "none", path, rgba_path])
        rgba = tifffile.imread(rgba_path)
    decoded = rgba[..., :3] if source.array.ndim == 6 else rgba[..., 0]
    array = np.ascontiguousarray(decoded).reshape(source.array.shape)
    how = f"tiffcp -c jpeg {' '.join(options)} {source.name}; pixels from tiff2rgba"
    return Fixture(name, array, source.format, how, selections, lossy_reference=True,
                   info={"storage": "tiles" if "-t" in options else "strips"})


def pack_rows(rows, bits):
    """Rows of unsigned samples as TIFF packs them: each row one bit stream, most significant
    bit first, padded with zero bits to a whole byte."""
    rows = np.asarray(rows, dtype=np.uint64)
    shifts = np.arange(bits - 1, -1, -1, dtype=np.uint64)
    stream = ((rows[..., np.newaxis] >> shifts) & np.uint64(1)).astype(np.uint8)
    stream = stream.reshape(rows.shape[0], -1)
    pad = (-stream.shape[1]) % 8
    return np.packbits(np.pad(stream, ((0, 0), (0, pad))), axis=1)


def unpack_rows(packed, row_samples, bits):
    """The inverse of pack_rows: uint16 rows of `row_samples` samples."""
    stream = np.unpackbits(np.asarray(packed, dtype=np.uint8).reshape(-1, (row_samples * bits + 7) // 8),
                           axis=1)[:, : row_samples * bits].reshape(-1, row_samples, bits)
    weights = (1 << np.arange(bits - 1, -1, -1)).astype(np.uint16)
    return (stream.astype(np.uint16) * weights).sum(axis=2, dtype=np.uint16)


def packed_fixture(out, name, bits, pages, rows_per_strip, selections):
    """A plain TIFF of packed `bits`-bit samples (12-bit cameras; Bio-Formats reads them as
    uint16), little-endian, uncompressed strips; tifffile can neither write nor read them
    without imagecodecs, so the IFDs are written here byte by byte."""
    array = canonical("uint16", name, z=pages) >> (16 - bits)
    planes = array.reshape(pages, PLANE_Y, PLANE_X)
    strips_per_page = -(-PLANE_Y // rows_per_strip)
    data = bytearray(b"II*\0\0\0\0\0")
    pixel_offsets = []
    for plane in planes:
        offsets, counts = [], []
        for y in range(0, PLANE_Y, rows_per_strip):
            strip = pack_rows(plane[y:y + rows_per_strip], bits).tobytes()
            offsets.append(len(data))
            counts.append(len(strip))
            data += strip
        pixel_offsets.append((offsets, counts))
    ifd_offsets = []
    for offsets, counts in pixel_offsets:
        if len(data) % 2:
            data += b"\0"
        arrays = len(data)
        data += np.array(offsets + counts, dtype="<u4").tobytes()
        tags = [(256, 4, 1, PLANE_X), (257, 4, 1, PLANE_Y), (258, 3, 1, bits), (259, 3, 1, 1),
                (262, 3, 1, 1), (273, 4, strips_per_page, arrays), (277, 3, 1, 1),
                (278, 4, 1, rows_per_strip),
                (279, 4, strips_per_page, arrays + 4 * strips_per_page)]
        ifd_offsets.append(len(data))
        data += len(tags).to_bytes(2, "little")
        for tag, kind, count, value in tags:
            field = value.to_bytes(4, "little") if kind == 4 or count > 1 else \
                value.to_bytes(2, "little") + b"\0\0"
            data += tag.to_bytes(2, "little") + kind.to_bytes(2, "little") + \
                count.to_bytes(4, "little") + field
        data += b"\0\0\0\0"
        if len(ifd_offsets) > 1:  # the previous IFD points at this one
            previous_next = ifd_offsets[-2] + 2 + 12 * len(tags)
            data[previous_next:previous_next + 4] = ifd_offsets[-1].to_bytes(4, "little")
    data[4:8] = ifd_offsets[0].to_bytes(4, "little")
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    how = f"written byte by byte: BitsPerSample={bits}, {pages} pages, RowsPerStrip={rows_per_strip}"
    return Fixture(name, array, "tiff", how, selections, packed_bits=bits,
                   info={"storage": "strips", "block_shape": [1, 1, 1, rows_per_strip, PLANE_X]})


def describe(write_args):
    return " ".join(f"{k}={v}" for k, v in sorted(write_args.items()))


def run(command):
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")


def multifile_fixtures(out):
    """Two OME-TIFF files of one T=2,C=2,Z=3 image, each file holding one timepoint.

    Both carry the full OME-XML (as Bio-Formats writes them). File a stores its planes in
    DimensionOrder (one TiffData run); file b stores its planes in reverse order, each mapped
    by its own TiffData, so a reader must follow the IFD numbers rather than assume order.
    """
    names = ["multifile_a.ome.tif", "multifile_b.ome.tif"]
    uuids = [f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'strata-fixture/' + n)}" for n in names]
    array = canonical("uint16", names[0], t=2, c=2, z=3)
    sizes_t, sizes_c, sizes_z = array.shape[:3]
    order = [(c, z) for c in range(sizes_c) for z in range(sizes_z)]  # XYZCT: z fastest

    tiff_data = [f'<TiffData FirstT="0" FirstC="0" FirstZ="0" IFD="0" PlaneCount="{len(order)}">'
                 f'<UUID FileName="{names[0]}">{uuids[0]}</UUID></TiffData>']
    for n, (c, z) in enumerate(order):
        ifd = len(order) - 1 - n
        tiff_data.append(f'<TiffData FirstT="1" FirstC="{c}" FirstZ="{z}" IFD="{ifd}" '
                         f'PlaneCount="1"><UUID FileName="{names[1]}">{uuids[1]}</UUID></TiffData>')
    channels = "".join(f'<Channel ID="Channel:0:{c}" SamplesPerPixel="1"/>' for c in range(sizes_c))

    def xml(own_uuid):
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:schemaLocation="http://www.openmicroscopy.org/Schemas/OME/2016-06 '
                'http://www.openmicroscopy.org/Schemas/OME/2016-06/ome.xsd" '
                f'UUID="{own_uuid}" Creator="strata make_tiff_fixtures.py">'
                '<Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" '
                f'SizeX="{PLANE_X}" SizeY="{PLANE_Y}" SizeZ="{sizes_z}" SizeC="{sizes_c}" '
                f'SizeT="{sizes_t}" BigEndian="false">{channels}{"".join(tiff_data)}'
                '</Pixels></Image></OME>')

    planes_a = np.stack([array[0, c, z] for c, z in order])
    planes_b = np.stack([array[1, c, z] for c, z in reversed(order)])
    for name, own_uuid, planes in zip(names, uuids, (planes_a, planes_b)):
        tifffile.imwrite(os.path.join(out, name), planes, description=xml(own_uuid),
                         metadata=None, photometric="minisblack")
    how = "OME-XML written by make_tiff_fixtures.py, pixels by tifffile; 2 files, T split"
    return [Fixture(names[0], array, "ome-tiff", how, ["T=1", "C=1,Z=0:2"]),
            Fixture(names[1], array, "ome-tiff", how + "; opened through the second file",
                    ["T=0,C=0"])]


def build_fixtures(out):
    fixtures = []
    add = fixtures.append
    sel_tile_edge = f"Y=30:{PLANE_Y},X=48:{PLANE_X}"  # inside the partial edge tiles

    # OME-TIFF in each DimensionOrder tifffile writes (axes slowest first -> XY...).
    ome_tczyx = ome_fixture(out, "ome_tczyx_uint16.ome.tif", "uint16", "TCZYX",
                            dict(t=2, c=3, z=4), ["C=1", "T=1,Z=1:3", sel_tile_edge],
                            named=True)                                          # XYZCT
    add(ome_tczyx)
    # Pyramids: SubIFD levels, read with --level.
    add(pyramid_fixture(out, "pyramid_uint16.ome.tif", "uint16", dict(c=2, z=3), 3, ["C=1"]))
    add(pyramid_fixture(out, "pyramid_tiled_deflate_uint8.ome.tif", "uint8", dict(z=2), 2, [],
                        tile=(16, 16), compression="zlib"))
    add(ome_fixture(out, "ome_tzcyx_uint8.ome.tif", "uint8", "TZCYX", dict(t=2, c=2, z=3),
                    ["Z=2,C=0"]))                                                # XYCZT
    add(ome_fixture(out, "ome_ztcyx_int16.ome.tif", "int16", "ZTCYX", dict(t=3, c=2, z=2),
                    ["T=2"]))                                                    # XYCTZ
    add(ome_fixture(out, "ome_ctzyx_uint32.ome.tif", "uint32", "CTZYX", dict(t=2, c=2, z=2),
                    ["C=1,T=0"]))                                                # XYZTC
    add(ome_fixture(out, "ome_zctyx_float32_bigtiff.ome.tif", "float32", "ZCTYX",
                    dict(t=2, c=2, z=2), ["Z=1"], bigtiff=True))                 # XYTCZ
    add(ome_fixture(out, "ome_cztyx_int8.ome.tif", "int8", "CZTYX", dict(t=2, c=2, z=2),
                    ["T=1,C=1"]))                                                # XYTZC
    add(ome_fixture(out, "ome_zcyx_int32_tiled_deflate.ome.tif", "int32", "ZCYX",
                    dict(c=2, z=3), ["C=1,Z=2", sel_tile_edge], tile=TILE, compression="zlib"))
    add(ome_fixture(out, "ome_czyx_float64_bigendian.ome.tif", "float64", "CZYX",
                    dict(c=2, z=2), ["C=0"], byteorder=">"))
    add(ome_fixture(out, "ome_zyx_uint16_tiled_deflate_predictor.ome.tif", "uint16", "ZYX",
                    dict(z=3), ["Z=1:3,Y=16:37"], tile=TILE, compression="zlib", predictor=True))
    add(ome_fixture(out, "ome_cyx_uint16_bigendian_tiled.ome.tif", "uint16", "CYX", dict(c=3),
                    ["C=2," + sel_tile_edge], byteorder=">", tile=(16, 32), compression="zlib",
                    predictor=True, named=True))
    add(ome_fixture(out, "ome_yx_float32.ome.tif", "float32", "YX", {}, ["X=1:2"]))
    add(ome_fixture(out, "ome_zyxs_rgb_uint8.ome.tif", "uint8", "ZYXS", dict(z=2, s=3),
                    ["Z=1,S=2"]))
    fixtures.extend(multifile_fixtures(out))

    # ImageJ hyperstacks (planes stored C fastest, then Z, then T).
    add(imagej_fixture(out, "imagej_tzcyx_uint16.tif", "uint16", "TZCYX", dict(t=2, c=2, z=3),
                       ["C=1", "T=1,Z=2"]))
    add(imagej_fixture(out, "imagej_zyx_float32.tif", "float32", "ZYX", dict(z=4), []))
    add(imagej_fixture(out, "imagej_cyx_uint8.tif", "uint8", "CYX", dict(c=3), ["C=2"]))
    add(imagej_fixture(out, "imagej_tzyxs_rgb_uint8.tif", "uint8", "TZYXS",
                       dict(t=2, z=2, s=3), ["T=1,S=0"]))

    # Plain TIFF (pages are Z): 64-bit ints, BigTIFF, big-endian, strips, tiles, RGB.
    pages = plain_fixture(out, "plain_pages_uint16.tif", "uint16", "ZYX", dict(z=5),
                          ["Z=1:3,X=50:53"])
    add(pages)
    single = plain_fixture(out, "plain_single_uint8.tif", "uint8", "YX", {}, ["Y=36"])
    add(single)
    for dtype in ("uint64", "int64"):  # the OME fixtures above hold the other dtypes
        add(plain_fixture(out, f"plain_pages_{dtype}.tif", dtype, "ZYX", dict(z=2), []))
    add(plain_fixture(out, "plain_bigendian_int32.tif", "int32", "ZYX", dict(z=3), ["Z=0:2"],
                      byteorder=">"))
    float_pages = plain_fixture(out, "plain_bigtiff_float32.tif", "float32", "ZYX", dict(z=2),
                                [], bigtiff=True)
    add(float_pages)
    add(plain_fixture(out, "strips_rows1_uint16.tif", "uint16", "ZYX", dict(z=3),
                      ["Y=17:20"], rowsperstrip=1))
    add(plain_fixture(out, "strips_rows5_deflate_uint16.tif", "uint16", "ZYX", dict(z=2),
                      ["Y=35:37"], rowsperstrip=5, compression="zlib"))
    add(plain_fixture(out, "tiled_deflate_uint8.tif", "uint8", "ZYX", dict(z=3),
                      [sel_tile_edge], tile=TILE, compression="zlib",
                      info={"storage": "tiles", "block_shape": [1, 1, 1, *TILE], "palette": False}))
    add(plain_fixture(out, "tiled_deflate_predictor_int16.tif", "int16", "ZYX", dict(z=2),
                      ["Z=1,Y=0:16"], tile=TILE, compression="zlib", predictor=True))
    rgb_contig = plain_fixture(out, "rgb_contig_uint8.tif", "uint8", "YXS", dict(s=3),
                               ["S=1"], planarconfig="contig")
    add(rgb_contig)
    add(plain_fixture(out, "rgb_separate_uint16.tif", "uint16", "SYX", dict(s=3), ["S=2"],
                      planarconfig="separate"))
    add(plain_fixture(out, "rgb_pages_separate_tiled_deflate_uint8.tif", "uint8", "ZSYX",
                      dict(z=2, s=3), ["Z=1,S=1", sel_tile_edge], planarconfig="separate",
                      tile=TILE, compression="zlib", predictor=True,
                      info={"storage": "tiles", "block_shape": [1, 1, 1, *TILE, 1]}))

    # Codecs tifffile cannot write without imagecodecs: libtiff's tiffcp recompresses.
    add(tiffcp_fixture(out, "lzw_pages_uint16.tif", pages, ["-c", "lzw"], []))
    add(tiffcp_fixture(out, "lzw_predictor_pages_uint16.tif", pages, ["-c", "lzw:2"],
                       ["Z=3,Y=10:20"]))
    add(tiffcp_fixture(out, "lzw_predictor_rgb_uint8.tif", rgb_contig, ["-c", "lzw:2"], ["S=2"]))
    add(tiffcp_fixture(out, "lzw_tiled_pages_uint16.tif", pages,
                       ["-c", "lzw", "-t", "-w", "16", "-l", "16"], [sel_tile_edge]))
    add(tiffcp_fixture(out, "zstd_pages_uint16.tif", pages, ["-c", "zstd"], []))
    add(tiffcp_fixture(out, "packbits_pages_uint16.tif", pages, ["-c", "packbits"], []))
    add(tiffcp_fixture(out, "lzw_ome_tczyx_uint16.ome.tif", ome_tczyx, ["-c", "lzw"],
                       ["C=2,T=0"]))
    add(tiffcp_fixture(out, "deflate_float_predictor_float32.tif", float_pages, ["-c", "zip:3"],
                       []))

    # Packed 12-bit samples, read as uint16: uncompressed (rows of 53 samples end mid-byte),
    # Deflate (decoded by strata) and LZW (decoded by libtiff).
    packed = packed_fixture(out, "packed12_pages.tif", 12, 3, 5, ["Z=1,Y=3:9,X=7:20"])
    add(packed)
    add(tiffcp_fixture(out, "packed12_deflate.tif", packed, ["-c", "zip", "-r", "8"], ["Z=2"],
                       info={"storage": "strips", "block_shape": [1, 1, 1, 8, PLANE_X]}))
    add(tiffcp_fixture(out, "packed12_lzw.tif", packed, ["-c", "lzw"], ["Y=36"]))
    add(palette_fixture(out, "palette_uint8.tif"))

    # JPEG (lossy, read through libtiff): YCbCr 2x2 in tiles cut by the image edge, and grey
    # strips; the expected pixels are libtiff's RGBA decoding.
    add(jpeg_fixture(out, "jpeg_ycbcr_tiled_rgb_uint8.tif", rgb_contig,
                     ["-t", "-w", "16", "-l", "16"], [sel_tile_edge]))
    add(jpeg_fixture(out, "jpeg_strips_uint8.tif", single, ["-r", "16"], ["Y=10:20"]))
    return fixtures


# ---------------------------------------------------------------- cross-check

def read_back(path, decode_with_tiffcp, scratch, packed_bits=None):
    """The file's series 0 as tifffile reads it, in canonical order; packed samples: each
    page's strips as tifffile locates them, unpacked with NumPy."""
    if decode_with_tiffcp:
        plain = os.path.join(scratch, "decoded-" + os.path.basename(path))
        run(["tiffcp", "-c", "none", path, plain])
        path = plain
    if packed_bits:
        with tifffile.TiffFile(path) as tif, open(path, "rb") as f:
            planes = []
            for page in tif.pages:
                stored = b""
                for offset, count in zip(page.dataoffsets, page.databytecounts):
                    f.seek(offset)
                    stored += f.read(count)
                row_bytes = (page.imagewidth * packed_bits + 7) // 8
                rows = np.frombuffer(stored[: row_bytes * page.imagelength], dtype=np.uint8)
                planes.append(unpack_rows(rows, page.imagewidth, packed_bits))
            return np.stack(planes)[np.newaxis, np.newaxis]
    with tifffile.TiffFile(path) as tif:
        series = tif.series[0]
        return from_axes(series.asarray(), series.axes)


def check_fixture(out, fixture, scratch):
    if fixture.lossy_reference:
        return
    got = read_back(os.path.join(out, fixture.name), fixture.decode_with_tiffcp, scratch,
                    fixture.packed_bits)
    if got.shape != fixture.array.shape or got.dtype.name != fixture.array.dtype.name \
            or xxh3(got) != xxh3(fixture.array):
        raise RuntimeError(f"{fixture.name}: read back {got.dtype}{got.shape} differs from "
                           f"the array written ({fixture.array.dtype}{fixture.array.shape})")
    if fixture.levels:
        with tifffile.TiffFile(os.path.join(out, fixture.name)) as tif:
            series = tif.series[0]
            if len(series.levels) != 1 + len(fixture.levels):
                raise RuntimeError(f"{fixture.name}: tifffile sees {len(series.levels)} levels")
            for level, want in zip(series.levels[1:], fixture.levels):
                if xxh3(from_axes(level.asarray(), level.axes)) != xxh3(want):
                    raise RuntimeError(f"{fixture.name}: level {level.shape} differs")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    outdir = parser.parse_args().outdir
    os.makedirs(outdir, exist_ok=True)  # files are overwritten; expected.json lists the set

    fixtures = build_fixtures(outdir)
    with tempfile.TemporaryDirectory() as scratch:
        for fixture in fixtures:
            check_fixture(outdir, fixture, scratch)

    expected = {"_about": "Written by tests/data/make_tiff_fixtures.py; values are a function of "
                          "their coordinates. Keys are paths relative to this folder; dims "
                          "TCZYX[S]; xxh3 = XXH3-64 of C-order little-endian bytes."}
    expected.update({f.name: f.expected() for f in fixtures})
    with open(os.path.join(outdir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
    print(f"wrote {len(fixtures)} fixtures and expected.json to {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
