#!/usr/bin/python3
"""Writes the hostile corpus (tests/hostile/README.md) into FOLDER: files of every format built
by their own libraries (tifffile, zarr-python 2, h5py, numpy) or by hand, then cut, flipped,
inflated or pointed elsewhere, and FOLDER/cases.json, the cases run_corpus.py runs.

usage: make_corpus.py FOLDER

Each case is {"name", "class", "args": strata's arguments after the subcommand's path
("@C@" stands for FOLDER, "@O@" for the runner's output folder), "expect": "read" (exit 0;
"xxh3", "shape", "dtype" from the independent reference), "error" (exit 2, one line
naming "names", by default the input) or "either" (a clean error, or exit 0 with the
reference's bytes when a reference could read the file; hostile bytes that a reader may
reasonably accept or refuse), optional "max_memory" (bytes; the case passes --max-memory
and every rank's peak RSS must stay under it plus the runner's slack), optional "known" (why
it fails today: an open finding, skipped unless the runner is given --known)}.
Nothing here is committed: the folder is written at test time.
"""
import json
import logging
import os
import random
import shutil
import struct
import sys
import zlib

import h5py
import numcodecs
import numpy
import tifffile
import xxhash
import zarr

CASES = []
logging.getLogger("tifffile").setLevel(logging.CRITICAL)  # its warnings about the files made here


def xxh3(a):
    return xxhash.xxh3_64_hexdigest(numpy.ascontiguousarray(a).tobytes())


def rel(folder, path):
    return "@C@/" + os.path.relpath(path, folder)


def case(name, klass, command, args, expect, reference=None, names=None, max_memory=None, select=None):
    """Records a case; `reference` is the array an independent library reads (for "read" and
    "either"), None when it could not."""
    entry = {"name": name, "class": klass, "command": command, "args": args, "expect": expect}
    if select is not None:
        entry["args"] = args + ["--select", select]
    if reference is not None:
        # strata delivers native byte order and may add axes of length 1 (TIFF's TCZYX).
        native = reference.astype(reference.dtype.newbyteorder("="))
        entry.update(xxh3=xxh3(native), shape=list(reference.shape), dtype=str(native.dtype))
    if names is not None:
        entry["names"] = names
    if max_memory is not None:
        entry["max_memory"] = max_memory
    CASES.append(entry)


def values(shape, dtype="<u2", seed=0):
    return numpy.random.default_rng(seed).integers(0, 250, shape).astype(dtype)


def reads(read):
    """What a reference reader returns, or None when it refuses the file."""
    try:
        return numpy.asarray(read())
    except Exception:  # noqa: BLE001 - any refusal of the reference counts as "cannot read"
        return None


def cut_and_flip(folder, name, path, klass, read, chunk_files=()):
    """Truncated copies at a few lengths and copies with random bit flips, read as `either`
    (compared with what `read` returns for the same bytes when it can), plus flips in chunk
    files of a store."""
    data = open(path, "rb").read()
    base, ext = os.path.splitext(path) if not path.endswith(".ome.tif") else (path[:-8], ".ome.tif")
    rng = random.Random(zlib.crc32(name.encode()))
    variants = []
    for fraction in (0.0, 0.1, 0.5, 0.9, 0.999):
        variants.append((f"cut-{fraction}", data[: int(len(data) * fraction)]))
    for k in range(6):
        flipped = bytearray(data)
        for _ in range(1 + k):
            i = rng.randrange(min(len(data), 512) if k < 3 else len(data))  # headers first
            flipped[i] ^= 1 << rng.randrange(8)
        variants.append((f"flip-{k}", bytes(flipped)))
    for suffix, content in variants:
        out = f"{base}.{suffix}{ext}"
        with open(out, "wb") as f:
            f.write(content)
        case(f"{name} {suffix}", klass, "read", [rel(folder, out), "--checksum"], "either", reads(lambda: read(out)),
             names=[rel(folder, out)])


# ---------------------------------------------------------------- TIFF by hand

def tiff(entries, data_blocks=(), next_ifd=0, extra_ifds=()):
    """A classic little-endian TIFF: header, then data blocks, then one IFD of `entries`
    ({tag: (type, [values])}, values given as ints; an int "count" overrides the count),
    whose next-IFD offset is `next_ifd`. Returns (bytes, offset of the IFD)."""
    out = bytearray(b"II*\0\0\0\0\0")
    offsets = []
    for block in data_blocks:
        offsets.append(len(out))
        out += block
    if len(out) % 2:
        out += b"\0"
    ifd = len(out)
    struct.pack_into("<I", out, 4, ifd)
    fmt = {3: "H", 4: "I"}
    body = struct.pack("<H", len(entries))
    tail = bytearray()
    after = ifd + 2 + 12 * len(entries) + 4
    for tag in sorted(entries):
        typ, vals, *count = entries[tag]
        raw = b"".join(struct.pack("<" + fmt[typ], v) for v in vals)
        n = count[0] if count else len(vals)
        if len(raw) <= 4:
            body += struct.pack("<HHI", tag, typ, n) + raw.ljust(4, b"\0")
        else:
            body += struct.pack("<HHII", tag, typ, n, after + len(tail))
            tail += raw
    body += struct.pack("<I", next_ifd)
    return bytes(out + body + tail), ifd, offsets


def gray(width, height, offsets, counts, rows=None, bits=8, extra=None):
    entries = {256: (4, [width]), 257: (4, [height]), 258: (3, [bits]), 259: (3, [1]), 262: (3, [1]),
               273: (4, offsets), 277: (3, [1]), 278: (4, [rows or height]), 279: (4, counts)}
    entries.update(extra or {})
    return entries


def make_tiff(folder):
    d = os.path.join(folder, "tiff")
    os.makedirs(d)
    stack = values((6, 40, 48), "<u2", 1)
    plain = os.path.join(d, "plain.tif")
    tifffile.imwrite(plain, stack)
    tiled = os.path.join(d, "tiled.tif")
    tifffile.imwrite(tiled, stack, tile=(16, 16), compression="zlib")
    ome = os.path.join(d, "stack.ome.tif")
    tifffile.imwrite(ome, stack.reshape(2, 3, 40, 48), metadata={"axes": "CZYX"}, compression="zlib")
    for name, path in (("tiff strips", plain), ("tiff tiles zlib", tiled), ("ome-tiff zlib", ome)):
        case(f"{name} intact", "control", "read", [rel(folder, path), "--checksum"], "read", tifffile.imread(path))
        cut_and_flip(folder, name, path, "truncated/flipped", tifffile.imread)

    def write(name, content):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(content)
        return path

    # IFD chains that loop: onto itself, and two pages pointing at each other.
    pixels = bytes(range(64))
    content, ifd, offs = tiff(gray(8, 8, [8], [64]), [pixels])
    looped = bytearray(content)
    struct.pack_into("<I", looped, ifd + 2 + 12 * 9, ifd)
    case("IFD chain looping onto itself", "ifd", "read", [rel(folder, write("self_loop.tif", bytes(looped))),
                                                          "--checksum"], "either",
         reads(lambda: tifffile.imread(os.path.join(d, "self_loop.tif"))))
    case("IFD chain looping onto itself: info", "ifd", "info", [rel(folder, os.path.join(d, "self_loop.tif"))],
         "either")
    two = bytearray(content)
    second = len(two)
    page2 = tiff(gray(8, 8, [8], [64]), [pixels])[0]
    ifd2 = page2[4:8]
    # The second IFD is a copy of the first appended at the end, pointing back at the first.
    entries = bytearray(content[ifd:ifd + 2 + 12 * 9 + 4])
    struct.pack_into("<I", entries, 2 + 12 * 9, ifd)
    struct.pack_into("<I", two, ifd + 2 + 12 * 9, second)
    two += entries
    del ifd2
    path = write("two_page_loop.tif", bytes(two))
    case("two IFDs pointing at each other", "ifd", "read", [rel(folder, path), "--checksum"], "either",
         reads(lambda: tifffile.imread(path)))
    # Next IFD past the end of the file, and at an odd offset inside the pixels.
    for label, nxt in (("past EOF", 1 << 30), ("inside the pixels", 9), ("at offset 1", 1)):
        content, ifd, _ = tiff(gray(8, 8, [8], [64]), [pixels], next_ifd=nxt)
        path = write(f"next_{label.replace(' ', '_')}.tif", content)
        case(f"next IFD {label}", "ifd", "read", [rel(folder, path), "--checksum"], "either",
             reads(lambda: tifffile.imread(path)))
    # Strip offsets and counts past the end, overflowing, zero.
    for label, off, cnt in (("offset past EOF", 1 << 31, 64), ("count past EOF", 8, 1 << 31),
                            ("offset+count overflow", 0xFFFFFFF0, 0x20), ("zero count", 8, 0)):
        content, _, _ = tiff(gray(8, 8, [off], [cnt]), [pixels])
        path = write(f"strip_{label.replace(' ', '_').replace('+', '_')}.tif", content)
        case(f"strip {label}", "offsets", "read", [rel(folder, path), "--checksum"], "either",
             reads(lambda: tifffile.imread(path)))
    # Memory bombs: a few hundred bytes claiming huge images and strip counts.
    for label, w, h, rows, n in (("2^31 strips claimed", 1, 1 << 31, 1, 1 << 31),
                                 ("65535^2 x 64-bit in one strip", 65535, 65535, None, 1),
                                 ("4G x 4G image", 0xFFFFFFFF, 0xFFFFFFFF, 1, 1)):
        entries = gray(w, h, [8], [64], rows=rows, bits=8)
        if n > 1:
            entries[273] = (4, [8], n)
            entries[279] = (4, [64], n)
        if "64-bit" in label:
            entries[258] = (3, [64])
        content, _, _ = tiff(entries, [pixels])
        path = write(f"bomb_{len(CASES)}.tif", content)
        case(f"TIFF memory bomb: {label}", "memory bomb", "read", [rel(folder, path), "--checksum"], "error",
             max_memory=64 << 20)
        case(f"TIFF memory bomb: {label}: info", "memory bomb", "info", [rel(folder, path)], "either")
    # Tiles: 2^20 x 2^20 image of 16x16 tiles (4G tiles claimed), tile counts that disagree.
    entries = {256: (4, [1 << 20]), 257: (4, [1 << 20]), 258: (3, [8]), 259: (3, [1]), 262: (3, [1]),
               277: (3, [1]), 322: (3, [16]), 323: (3, [16]), 324: (4, [8], 1 << 32 - 1), 325: (4, [256], 1 << 32 - 1)}
    entries[324] = (4, [8], 0xFFFFFFFF)
    entries[325] = (4, [256], 0xFFFFFFFF)
    path = write("bomb_tiles.tif", tiff(entries, [bytes(256)])[0])
    case("TIFF memory bomb: 4G tiles claimed", "memory bomb", "read", [rel(folder, path), "--checksum"], "error",
         max_memory=64 << 20)
    case("TIFF memory bomb: 4G tiles claimed: info", "memory bomb", "info", [rel(folder, path)], "either")
    entries = {256: (4, [64]), 257: (4, [64]), 258: (3, [8]), 259: (3, [1]), 262: (3, [1]), 277: (3, [1]),
               322: (3, [16]), 323: (3, [16]), 324: (4, [8, 8, 8]), 325: (4, [256, 256, 256])}
    path = write("too_few_tiles.tif", tiff(entries, [bytes(256)])[0])
    case("TIFF with fewer tile offsets than tiles", "offsets", "read", [rel(folder, path), "--checksum"], "either",
         reads(lambda: tifffile.imread(path)))
    # Tile size zero and not a multiple of 16: a division by zero or a bad grid.
    for tw in (0, 7):
        entries = {256: (4, [64]), 257: (4, [64]), 258: (3, [8]), 259: (3, [1]), 262: (3, [1]), 277: (3, [1]),
                   322: (3, [tw]), 323: (3, [tw]), 324: (4, [8]), 325: (4, [256])}
        path = write(f"tile_{tw}.tif", tiff(entries, [bytes(256)])[0])
        case(f"TIFF tile width {tw}", "header", "read", [rel(folder, path), "--checksum"], "either",
             reads(lambda: tifffile.imread(path)))
    # Zlib bomb: a 16x16 tile whose deflate stream inflates to 64 MiB.
    bomb = zlib.compress(bytes(64 << 20), 9)
    entries = {256: (4, [16]), 257: (4, [16]), 258: (3, [8]), 259: (3, [8]), 262: (3, [1]), 277: (3, [1]),
               273: (4, [8]), 278: (4, [16]), 279: (4, [len(bomb)])}
    path = write("zlib_bomb.tif", tiff(entries, [bomb])[0])
    case("TIFF strip inflating to 64 MiB for 256 bytes", "decompression bomb", "read",
         [rel(folder, path), "--checksum"], "either", reads(lambda: tifffile.imread(path)), max_memory=32 << 20)
    # OME-XML and ImageJ descriptions claiming 10^12-10^15 planes or 4G x 4G pixels for one 16x16 page.
    xml = ('<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">'
           '<Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint8" SizeX="16" SizeY="16"'
           ' SizeZ="1000000000" SizeC="1000" SizeT="1000"><Channel ID="Channel:0:0" SamplesPerPixel="1"/>'
           '<TiffData/></Pixels></Image></OME>')
    one = numpy.zeros((16, 16), numpy.uint8)
    for label, description in (
            ("OME-XML claiming 10^15 planes", xml),
            ("OME-XML TiffData PlaneCount 10^12", xml.replace("<TiffData/>", '<TiffData IFD="0" PlaneCount="1000000000000"/>')),
            ("OME-XML claiming 4G x 4G pixels", xml.replace('SizeX="16" SizeY="16"', 'SizeX="4000000000" SizeY="4000000000"')
             .replace('SizeZ="1000000000" SizeC="1000" SizeT="1000"', 'SizeZ="1" SizeC="1" SizeT="1"')),
            ("ImageJ description claiming 10^12 images",
             "ImageJ=1.11a\nimages=1000000000000\nchannels=1000000\nslices=1000000\nframes=1\nhyperstack=true\n")):
        path = os.path.join(d, f"description_bomb_{len(CASES)}" + (".ome.tif" if "OME" in label else ".tif"))
        tifffile.imwrite(path, one, description=description, metadata=None)
        # No reference: tifffile itself tries to allocate what these claim.
        case(label, "memory bomb", "read", [rel(folder, path), "--checksum"], "error", max_memory=64 << 20)
    # Multi-file OME-TIFF mixtures: one part inside, one named through "../", one a FIFO.
    parts = os.path.join(d, "parts")
    os.makedirs(parts)
    uuids = ["urn:uuid:00000000-0000-0000-0000-00000000000%d" % i for i in range(3)]
    plane = values((1, 16, 16), "<u1", 7)

    def ome_part(index, names):
        tiff_data = "".join(f'<TiffData FirstZ="{i}" IFD="0" PlaneCount="1"><UUID FileName="{n}">{uuids[i]}</UUID>'
                            f'</TiffData>' for i, n in enumerate(names))
        return ('<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"'
                f' UUID="{uuids[index]}"><Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint8"'
                f' SizeX="16" SizeY="16" SizeZ="{len(names)}" SizeC="1" SizeT="1"><Channel ID="Channel:0:0"'
                f' SamplesPerPixel="1"/>{tiff_data}</Pixels></Image></OME>')
    for label, names in (("part through ../", ["p0.ome.tif", "../p1.ome.tif"]),
                         ("part that is a FIFO", ["p0.ome.tif", "fifo.ome.tif"]),
                         ("part that is a folder", ["p0.ome.tif", "folder.ome.tif"]),
                         ("part named /dev/zero", ["p0.ome.tif", "/dev/zero"]),
                         ("part missing", ["p0.ome.tif", "gone.ome.tif"])):
        sub = os.path.join(parts, label.replace(" ", "_").replace("/", "_").replace(".", ""))
        os.makedirs(sub)
        tifffile.imwrite(os.path.join(sub, "p0.ome.tif"), plane, description=ome_part(0, names), metadata=None)
        tifffile.imwrite(os.path.join(d, "parts", "p1.ome.tif"), plane, description=ome_part(1, names),
                         metadata=None)
        os.mkfifo(os.path.join(sub, "fifo.ome.tif"))
        os.makedirs(os.path.join(sub, "folder.ome.tif"))
        # The refusal may name the input or the part at fault (both in the input's folder).
        case(f"multi-file OME-TIFF, {label}", "escaping/special files", "read",
             [rel(folder, os.path.join(sub, "p0.ome.tif")), "--checksum"], "error", names=[rel(folder, sub)])


# ---------------------------------------------------------------- NPY

def npy_header(descr, shape, fortran=False):
    text = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    header = text.encode("latin1")
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def make_npy(folder):
    d = os.path.join(folder, "npy")
    os.makedirs(d)
    for label, a in (("uint16", values((5, 30, 31), "<u2", 2)), ("big-endian float32", values((4, 9, 10), ">f4", 3)),
                     ("fortran order", numpy.asfortranarray(values((4, 9, 10), "<i4", 4))),
                     ("bool", values((3, 7, 5), "<u1", 5) > 100)):
        path = os.path.join(d, label.replace(" ", "_") + ".npy")
        numpy.save(path, a)
        case(f"npy {label} intact", "control", "read", [rel(folder, path), "--checksum"], "either",
             numpy.load(path))
    path = os.path.join(d, "uint16.npy")
    cut_and_flip(folder, "npy", path, "truncated/flipped", lambda p: numpy.load(p))
    for label, descr, shape in (("3 x 10^5 cubed uint16", "<u2", "(100000, 100000, 100000)"),
                                ("element count overflowing 64 bits", "<u8", "(4294967296, 4294967296, 16)"),
                                ("negative dimension", "<u2", "(-1, 4)"),
                                ("64 dimensions of 2^32", "<u1", "(" + "4294967296, " * 64 + ")"),
                                ("object dtype", "|O", "(3,)"), ("unicode dtype", "<U8", "(3,)"),
                                ("huge itemsize", "|V4294967296", "(2,)"), ("zero-size dims", "<u2", "(0, 5)")):
        path = os.path.join(d, f"bomb_{len(CASES)}.npy")
        with open(path, "wb") as f:
            f.write(npy_header(descr, shape) + bytes(32))
        ref = reads(lambda: numpy.load(path)) if "zero" in label else None
        case(f"npy header: {label}", "memory bomb", "read", [rel(folder, path), "--checksum"],
             "either" if ref is not None else "error", ref, max_memory=64 << 20)
    # A header length pointing past the file, and a header that never closes.
    path = os.path.join(d, "header_past_eof.npy")
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{'descr'")
    case("npy v2 header length 4 GB", "memory bomb", "read", [rel(folder, path), "--checksum"], "error",
         max_memory=64 << 20)


# ---------------------------------------------------------------- Zarr v2

def make_zarr2(folder):
    d = os.path.join(folder, "zarr2")
    os.makedirs(d)
    a = values((6, 40, 50), "<u2", 8)
    stores = {}
    for label, kwargs in (("blosc", {"compressor": numcodecs.Blosc("lz4", 5)}),
                          ("zlib nested", {"compressor": numcodecs.Zlib(3), "dimension_separator": "/"}),
                          ("raw", {"compressor": None})):
        path = os.path.join(d, label.replace(" ", "_") + ".zarr")
        z = zarr.open(path, mode="w", shape=a.shape, chunks=(2, 16, 16), dtype=a.dtype, **kwargs)
        z[...] = a
        stores[label] = path
        case(f"zarr v2 {label} intact", "control", "read", [rel(folder, path), "--checksum"], "read", a)
    # Chunk files cut and flipped in place (copies of the store, one chunk each).
    for label, path in stores.items():
        chunk = "0/0/0" if "nested" in label else "0.0.0"
        for suffix, mangle in (("cut chunk", lambda b: b[: len(b) // 2]), ("empty chunk", lambda b: b""),
                               ("flipped chunk", lambda b: bytes([b[0] ^ 0xFF]) + b[1:40] + bytes([b[40] ^ 1]) + b[41:]),
                               ("chunk longer", lambda b: b + b"x" * 100)):
            copy = path[:-5] + "-" + suffix.replace(" ", "_") + ".zarr"
            shutil.copytree(path, copy)
            target = os.path.join(copy, chunk)
            with open(target, "rb") as f:
                content = f.read()
            with open(target, "wb") as f:
                f.write(mangle(content))
            case(f"zarr v2 {label}: {suffix}", "truncated/flipped", "read", [rel(folder, copy), "--checksum"],
                 "either", reads(lambda: zarr.open(copy, mode="r")[...]))
        # Chunk key replaced by a folder, a FIFO, a link to /dev/zero, a link out of the store.
        for suffix in ("folder", "fifo", "dev-zero", "link-out"):
            copy = path[:-5] + "-chunk-" + suffix + ".zarr"
            shutil.copytree(path, copy)
            target = os.path.join(copy, chunk)
            os.remove(target)
            if suffix == "folder":
                os.makedirs(target)
            elif suffix == "fifo":
                os.mkfifo(target)
            elif suffix == "dev-zero":
                os.symlink("/dev/zero", target)
            else:
                os.symlink(os.path.join(folder, "npy", "uint16.npy"), target)
            case(f"zarr v2 {label}: chunk is a {suffix}", "special files", "read", [rel(folder, copy), "--checksum"],
                 "error")
    # Metadata: huge shapes, zero and negative chunks, overflowing element counts, bad JSON.
    for label, meta in (("shape 10^6 cubed, chunks of one", {"shape": [10**6] * 3, "chunks": [1, 1, 1]}),
                        ("shape 2^62 squared", {"shape": [1 << 62, 1 << 62], "chunks": [1 << 40, 1 << 40]}),
                        ("chunks of zero", {"shape": [10, 10], "chunks": [0, 5]}),
                        ("negative chunks", {"shape": [10, 10], "chunks": [-5, 5]}),
                        ("negative shape", {"shape": [-10, 10], "chunks": [5, 5]}),
                        ("chunks larger than the shape", {"shape": [10, 10], "chunks": [1 << 40, 1 << 40]}),
                        ("one chunk of 2^60 bytes", {"shape": [1 << 30, 1 << 30], "chunks": [1 << 30, 1 << 30]}),
                        ("shape and chunks of different rank", {"shape": [10, 10, 10], "chunks": [5, 5]}),
                        ("dtype |O", {"shape": [4], "chunks": [2], "dtype": "|O"}),
                        ("dtype <U2147483647", {"shape": [4], "chunks": [2], "dtype": "<U2147483647"})):
        path = os.path.join(d, f"meta_{len(CASES)}.zarr")
        os.makedirs(path)
        zarray = {"zarr_format": 2, "dtype": "<u2", "compressor": None, "fill_value": 7, "order": "C",
                  "filters": None}
        zarray.update(meta)
        with open(os.path.join(path, ".zarray"), "w") as f:
            json.dump(zarray, f)
        if label.startswith("chunks larger"):  # valid: one chunk, missing, so the fill value
            case(f"zarr v2 .zarray: {label}", "header", "read", [rel(folder, path), "--checksum"], "read",
                 numpy.full((10, 10), 7, "<u2"), max_memory=64 << 20)
            continue
        case(f"zarr v2 .zarray: {label}", "memory bomb", "read", [rel(folder, path), "--checksum"], "error",
             max_memory=64 << 20)
        if label.startswith("shape 10^6"):
            # The claim is valid (fill value everywhere): info is instant, a small read works.
            case(f"zarr v2 .zarray: {label}: info", "millions of chunks", "info", [rel(folder, path)], "read_ok")
            case(f"zarr v2 .zarray: {label}: small select", "millions of chunks", "read",
                 [rel(folder, path), "--checksum"], "read", numpy.full((1, 3, 4), 7, "<u2"), select="Z=0:1,Y=0:3,X=0:4")
    # A stored edge chunk is decoded whole: chunks far larger than a 4x6 array, one of them written
    # (12 bytes, raw or deflated), claim 8 GiB, 2^124 bytes (overflowing 64 bits) or 2^80.
    for label, chunks, compressor in (("one stored chunk of 8 GiB, raw", [1 << 16, 1 << 16], None),
                                      ("one stored chunk of 8 GiB, zlib", [1 << 16, 1 << 16], {"id": "zlib", "level": 1}),
                                      ("one stored chunk of 2^124 bytes", [1 << 62, 1 << 62], None),
                                      ("one stored chunk of 2^81 bytes, zlib", [1 << 40, 1 << 40], {"id": "zlib", "level": 1})):
        path = os.path.join(d, f"meta_{len(CASES)}.zarr")
        os.makedirs(path)
        with open(os.path.join(path, ".zarray"), "w") as f:
            json.dump({"zarr_format": 2, "shape": [4, 6], "chunks": chunks, "dtype": "<u2", "compressor": compressor,
                       "fill_value": 0, "order": "C", "filters": None}, f)
        data = bytes(12)
        with open(os.path.join(path, "0.0"), "wb") as f:
            f.write(zlib.compress(data) if compressor else data)
        case(f"zarr v2 .zarray: {label}", "memory bomb", "read", [rel(folder, path), "--checksum"], "error",
             max_memory=64 << 20)
        case(f"zarr v2 .zarray: {label}, no --max-memory", "memory bomb", "read", [rel(folder, path), "--checksum"],
             "error")
    for label, text in (("not JSON", "{"), ("JSON null", "null"), ("a list", "[1,2]"),
                        ("deeply nested", "[" * 100000 + "]" * 100000), ("shape not a list", '{"zarr_format": 2, "shape": 5}')):
        path = os.path.join(d, f"json_{len(CASES)}.zarr")
        os.makedirs(path)
        with open(os.path.join(path, ".zarray"), "w") as f:
            f.write(text)
        case(f"zarr v2 .zarray {label}", "header", "read", [rel(folder, path), "--checksum"], "error")
    # Millions of chunks, a few written: info fast, a selection reads what zarr-python reads.
    path = os.path.join(d, "ten_million_chunks.zarr")
    z = zarr.open(path, mode="w", shape=(1000, 1000, 10000), chunks=(1, 10, 100), dtype="<u2",
                  fill_value=3, compressor=numcodecs.Zlib(1))
    z[0, 0:20, 0:150] = values((20, 150), "<u2", 9)
    z[999, 990:1000, 9900:10000] = values((10, 100), "<u2", 10)
    case("zarr v2 10^7 chunks, 3 written: info", "millions of chunks", "info", [rel(folder, path)], "read_ok")
    for sel, index in (("Z=0:2,Y=0:20,X=0:200", numpy.s_[0:2, 0:20, 0:200]),
                       ("Z=998:1000,Y=985:1000,X=9890:10000", numpy.s_[998:1000, 985:1000, 9890:10000])):
        case(f"zarr v2 10^7 chunks: select {sel}", "millions of chunks", "read", [rel(folder, path), "--checksum"],
             "read", z[index], select=sel)
    case("zarr v2 10^7 chunks: whole read refused by --max-memory", "millions of chunks", "read",
         [rel(folder, path), "--checksum"], "error", max_memory=64 << 20)
    # A decompression bomb: a 16-byte chunk whose zlib stream inflates to 256 MiB.
    path = os.path.join(d, "zlib_bomb.zarr")
    z = zarr.open(path, mode="w", shape=(8,), chunks=(8,), dtype="<u2", compressor=numcodecs.Zlib(1))
    z[...] = numpy.arange(8, dtype="<u2")
    with open(os.path.join(path, "0"), "wb") as f:
        f.write(zlib.compress(bytes(256 << 20), 9))
    case("zarr v2 chunk inflating to 256 MiB for 16 bytes", "decompression bomb", "read",
         [rel(folder, path), "--checksum"], "error", max_memory=32 << 20)
    # A blosc header claiming a 2 GiB chunk.
    path = os.path.join(d, "blosc_claims.zarr")
    z = zarr.open(path, mode="w", shape=(64,), chunks=(64,), dtype="<u2", compressor=numcodecs.Blosc("lz4"))
    z[...] = numpy.arange(64, dtype="<u2")
    with open(os.path.join(path, "0"), "rb") as f:
        chunk = bytearray(f.read())
    struct.pack_into("<I", chunk, 4, 0x7FFFFFF0)  # nbytes
    with open(os.path.join(path, "0"), "wb") as f:
        f.write(chunk)
    case("zarr v2 blosc header claiming 2 GiB", "decompression bomb", "read", [rel(folder, path), "--checksum"],
         "error", max_memory=32 << 20)
    # OME-Zarr multiscales paths leaving the store, and the store's root being a FIFO/file.
    for label, p in (("../../npy", "../../npy"), ("absolute", "/etc"), ("dot-dot in the middle", "0/../../x")):
        path = os.path.join(d, f"ngff_{len(CASES)}.zarr")
        zarr.open(os.path.join(path, "0"), mode="w", shape=(4, 4), chunks=(2, 2), dtype="u1")[...] = 1
        with open(os.path.join(path, ".zgroup"), "w") as f:
            json.dump({"zarr_format": 2}, f)
        with open(os.path.join(path, ".zattrs"), "w") as f:
            json.dump({"multiscales": [{"version": "0.4", "axes": [{"name": "y"}, {"name": "x"}],
                                        "datasets": [{"path": p}, {"path": "0"}]}]}, f)
        case(f"OME-Zarr level path {label}", "escaping paths", "read", [rel(folder, path), "--checksum"], "error")
    path = os.path.join(d, "zarray_is_folder.zarr")
    os.makedirs(os.path.join(path, ".zarray"))
    case("zarr v2 .zarray is a folder", "special files", "read", [rel(folder, path), "--checksum"], "error")
    path = os.path.join(d, "zarray_is_fifo.zarr")
    os.makedirs(path)
    os.mkfifo(os.path.join(path, ".zarray"))
    case("zarr v2 .zarray is a FIFO", "special files", "read", [rel(folder, path), "--checksum"], "error")
    path = os.path.join(d, "zarray_is_dev_zero.zarr")
    os.makedirs(path)
    os.symlink("/dev/zero", os.path.join(path, ".zarray"))
    case("zarr v2 .zarray is /dev/zero", "special files", "read", [rel(folder, path), "--checksum"], "error",
         max_memory=64 << 20)


# ---------------------------------------------------------------- Zarr v3 by hand

def zarr3(path, shape, chunks, dtype="uint16", codecs=None, fill=0, separator="/", extra=None):
    os.makedirs(path, exist_ok=True)
    meta = {"zarr_format": 3, "node_type": "array", "shape": shape, "data_type": dtype,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": separator}},
            "fill_value": fill, "codecs": codecs or [{"name": "bytes", "configuration": {"endian": "little"}}]}
    meta.update(extra or {})
    with open(os.path.join(path, "zarr.json"), "w") as f:
        json.dump(meta, f)


def put(path, key, content):
    full = os.path.join(path, key)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(content)


def sharded(inner, index_location="end"):
    return [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": inner, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_location": index_location}}]


def shard_bytes(blocks, count):
    """A shard of `count` inner chunks, blocks[i] the bytes of chunk i or None (empty)."""
    body, index = bytearray(), []
    for i in range(count):
        block = blocks[i] if i < len(blocks) else None
        if block is None:
            index.append((0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF))
        else:
            index.append((len(body), len(block)))
            body += block
    return bytes(body) + b"".join(struct.pack("<QQ", o, n) for o, n in index)


def make_zarr3(folder):
    d = os.path.join(folder, "zarr3")
    os.makedirs(d)
    a = values((4, 8, 8), "<u2", 11)
    # Shards of 2x8x8 holding inner chunks of 1x4x4 (8 per shard); two shards.
    def good(path):
        zarr3(path, [4, 8, 8], [2, 8, 8], codecs=sharded([1, 4, 4]))
        for s in range(2):
            blocks = [numpy.ascontiguousarray(a[2 * s + z, 4 * y:4 * y + 4, 4 * x:4 * x + 4]).tobytes()
                      for z in range(2) for y in range(2) for x in range(2)]
            put(path, f"c/{s}/0/0", shard_bytes(blocks, 8))
    path = os.path.join(d, "sharded.zarr")
    good(path)
    case("zarr v3 sharded intact", "control", "read", [rel(folder, path), "--checksum"], "read", a)
    shard = os.path.join(path, "c/0/0/0")
    with open(shard, "rb") as f:
        original = f.read()
    body = len(original) - 8 * 16
    for label, mangle in (("shard cut in its index", lambda b: b[:-10]), ("shard empty", lambda b: b""),
                          ("shard cut in its chunks", lambda b: b[:100] + b[body:]),
                          ("index offset past EOF", lambda b: b[:body] + struct.pack("<QQ", 1 << 40, 32) + b[body + 16:]),
                          ("index offset+nbytes overflowing", lambda b: b[:body] + struct.pack("<QQ", (1 << 64) - 8, 64)
                           + b[body + 16:]),
                          ("index nbytes 2^62", lambda b: b[:body] + struct.pack("<QQ", 0, 1 << 62) + b[body + 16:]),
                          ("index nbytes short", lambda b: b[:body] + struct.pack("<QQ", 0, 5) + b[body + 16:]),
                          ("index half empty marker", lambda b: b[:body] + struct.pack("<QQ", (1 << 64) - 1, 32)
                           + b[body + 16:])):
        copy = os.path.join(d, "sharded-" + label.replace(" ", "_").replace("+", "_") + ".zarr")
        good(copy)
        with open(os.path.join(copy, "c/0/0/0"), "wb") as f:
            f.write(mangle(original))
        case(f"zarr v3 shard: {label}", "truncated/flipped", "read", [rel(folder, copy), "--checksum"], "error",
             max_memory=64 << 20)
    # A shard that is a FIFO, a folder, a link out.
    for suffix in ("fifo", "folder", "link-out"):
        copy = os.path.join(d, f"sharded-shard-{suffix}.zarr")
        good(copy)
        target = os.path.join(copy, "c/1/0/0")
        os.remove(target)
        if suffix == "fifo":
            os.mkfifo(target)
        elif suffix == "folder":
            os.makedirs(target)
        else:
            os.symlink(os.path.join(folder, "npy", "uint16.npy"), target)
        case(f"zarr v3 shard is a {suffix}", "special files", "read", [rel(folder, copy), "--checksum"], "error")
    # Metadata bombs and nonsense.
    for label, kwargs in (("10^18 chunks of one, fill 5", dict(shape=[10**6] * 3, chunks=[1, 1, 1], fill=5)),
                          ("shard of 2^40 inner chunks", dict(shape=[1 << 20, 1 << 20], chunks=[1 << 20, 1 << 20],
                                                              codecs=sharded([1, 1]))),
                          ("inner chunk not dividing the shard", dict(shape=[8, 8], chunks=[8, 8],
                                                                      codecs=sharded([3, 3]))),
                          ("separator '..'", dict(shape=[4, 4], chunks=[2, 2], separator="..")),
                          ("separator '/../'", dict(shape=[4, 4], chunks=[2, 2], separator="/../")),
                          ("chunk shape zero", dict(shape=[4, 4], chunks=[0, 2])),
                          ("data type bool fill 7", dict(shape=[4], chunks=[2], dtype="bool", fill=7)),
                          ("unknown codec", dict(shape=[4], chunks=[2], codecs=[{"name": "lzma"}])),
                          ("gzip level 99", dict(shape=[4], chunks=[2], codecs=[
                              {"name": "bytes", "configuration": {"endian": "little"}},
                              {"name": "gzip", "configuration": {"level": 99}}]))):
        path = os.path.join(d, f"meta_{len(CASES)}.zarr")
        zarr3(path, kwargs.pop("shape"), kwargs.pop("chunks"), **kwargs)
        case(f"zarr v3 zarr.json: {label}", "memory bomb", "read", [rel(folder, path), "--checksum"],
             "either" if "not dividing" in label or "gzip" in label else "error", max_memory=64 << 20)
        if label.startswith("10^18"):
            case(f"zarr v3 zarr.json: {label}: info", "millions of chunks", "info", [rel(folder, path)], "read_ok")
            case(f"zarr v3 zarr.json: {label}: small select", "millions of chunks", "read",
                 [rel(folder, path), "--checksum"], "read", numpy.full((1, 2, 3), 5, "<u2"), select="Z=0:1,Y=5:7,X=999997:1000000")
    # Millions of chunks with a few present; the chunk keys of the corners read right.
    path = os.path.join(d, "ten_million.zarr")
    zarr3(path, [1000, 10000, 1000], [1, 1, 1000], fill=9)
    put(path, "c/0/0/0", numpy.arange(1000, dtype="<u2").tobytes())
    put(path, "c/999/9999/0", numpy.arange(1000, 2000, dtype="<u2").tobytes())
    case("zarr v3 10^7 chunks, 2 written: info", "millions of chunks", "info", [rel(folder, path)], "read_ok")
    expect = numpy.full((2, 2, 1000), 9, "<u2")
    expect[0, 0] = numpy.arange(1000)
    case("zarr v3 10^7 chunks: select corner", "millions of chunks", "read", [rel(folder, path), "--checksum"],
         "read", expect, select="Z=0:2,Y=0:2,X=0:1000")
    expect = numpy.full((1, 3, 5), 9, "<u2")
    expect[0, 2] = numpy.arange(1995, 2000)
    case("zarr v3 10^7 chunks: select far corner", "millions of chunks", "read", [rel(folder, path), "--checksum"],
         "read", expect, select="Z=999:1000,Y=9997:10000,X=995:1000")


# ---------------------------------------------------------------- HDF5

def make_hdf5(folder):
    d = os.path.join(folder, "hdf5")
    os.makedirs(d)
    a = values((6, 33, 35), "<u2", 12)
    path = os.path.join(d, "plain.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("contig", data=a)
        f.create_dataset("gzip", data=a, chunks=(2, 16, 16), compression="gzip")
    for ds in ("contig", "gzip"):
        case(f"hdf5 {ds} intact", "control", "read", [rel(folder, path) + ":/" + ds, "--checksum"], "read", a)

    def read_ds(ds):
        return lambda p: h5py.File(p, "r")[ds][...]
    for ds in ("contig", "gzip"):
        copy = os.path.join(d, f"plain_{ds}.h5")
        shutil.copy(path, copy)
        data = open(copy, "rb").read()
        rng = random.Random(ds)
        for fraction in (0.05, 0.5, 0.95):
            cut = os.path.join(d, f"{ds}_cut_{fraction}.h5")
            with open(cut, "wb") as f:
                f.write(data[: int(len(data) * fraction)])
            case(f"hdf5 {ds} cut at {fraction}", "truncated/flipped", "read", [rel(folder, cut) + ":/" + ds,
                                                                                  "--checksum"],
                 "either", reads(lambda: read_ds(ds)(cut)), names=[rel(folder, cut)])
        for k in range(4):
            flipped = bytearray(data)
            for _ in range(k + 1):
                i = rng.randrange(len(data))
                flipped[i] ^= 1 << rng.randrange(8)
            out = os.path.join(d, f"{ds}_flip_{k}.h5")
            with open(out, "wb") as f:
                f.write(flipped)
            case(f"hdf5 {ds} flip {k}", "truncated/flipped", "read", [rel(folder, out) + ":/" + ds, "--checksum"],
                 "either", reads(lambda: read_ds(ds)(out)), names=[rel(folder, out)])
    # Chunks written raw: a zlib bomb, a truncated stream, garbage.
    path = os.path.join(d, "raw_chunks.h5")
    with h5py.File(path, "w") as f:
        for name, content in (("bomb", zlib.compress(bytes(256 << 20), 9)), ("cut", zlib.compress(a[:2, :16, :16]
                                                                                                 .tobytes())[:50]),
                              ("garbage", b"not a deflate stream at all" * 4)):
            ds = f.create_dataset(name, shape=(2, 16, 16), dtype="<u2", chunks=(2, 16, 16), compression="gzip")
            ds.id.write_direct_chunk((0, 0, 0), content)
            case(f"hdf5 gzip chunk: {name}", "decompression bomb" if name == "bomb" else "truncated/flipped", "read",
                 [rel(folder, path) + ":/" + name, "--checksum"], "error", max_memory=32 << 20,
                 names=[rel(folder, path)])
    # An edge chunk is stored and decoded whole: a 4x6 dataset in chunks of 32768x32768 (2 GiB,
    # HDF5's most is 4 GiB) with its one chunk written as 12 deflated bytes.
    path = os.path.join(d, "edge_chunk.h5")
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("d", shape=(4, 6), maxshape=(None, None), dtype="<u2", chunks=(1 << 15, 1 << 15),
                              compression="gzip")
        ds.id.write_direct_chunk((0, 0), zlib.compress(bytes(12)))
    for limit in (64 << 20, None):
        case(f"hdf5 one stored chunk of 2 GiB over 4x6{'' if limit else ', no --max-memory'}", "memory bomb", "read",
             [rel(folder, path), "--checksum"], "error", max_memory=limit)
    # Sparse and huge: 10^18 elements, chunks of 1x64x64, nothing written.
    path = os.path.join(d, "sparse.h5")
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("huge", shape=(10**6, 10**6, 10**6), dtype="<u2", chunks=(1, 64, 64), fillvalue=4)
        ds[0, 0:2, 0:3] = [[1, 2, 3], [4, 5, 6]]
        f.create_dataset("many", shape=(1000, 1000, 1000), dtype="u1", chunks=(1, 10, 100), fillvalue=2)
        f["many"][0, 0:10, 0:100] = 8
        small = ds[0:1, 0:3, 0:4]
        many = f["many"][0:2, 5:15, 90:110]
    case("hdf5 10^18 elements, one chunk written: whole read refused", "memory bomb", "read",
         [rel(folder, path) + ":/huge", "--checksum"], "error", max_memory=64 << 20, names=[rel(folder, path)])
    case("hdf5 10^18 elements: info", "millions of chunks", "info", [rel(folder, path) + ":/huge"], "read_ok")
    case("hdf5 10^18 elements: small select", "millions of chunks", "read", [rel(folder, path) + ":/huge",
                                                                             "--checksum"], "read", small,
         select="Z=0:1,Y=0:3,X=0:4")
    case("hdf5 10^7 chunks: info", "millions of chunks", "info", [rel(folder, path) + ":/many"], "read_ok")
    case("hdf5 10^7 chunks: small select", "millions of chunks", "read", [rel(folder, path) + ":/many", "--checksum"],
         "read", many, select="Z=0:2,Y=5:15,X=90:110")
    # External link cycles and external storage on special files, allowed.
    with h5py.File(os.path.join(d, "cycle_a.h5"), "w") as f:
        f["x"] = h5py.ExternalLink("cycle_b.h5", "/y")
    with h5py.File(os.path.join(d, "cycle_b.h5"), "w") as f:
        f["y"] = h5py.ExternalLink("cycle_a.h5", "/x")
    for allow in ([], ["--allow-external"]):
        case(f"hdf5 external link cycle {allow}", "external", "read",
             [rel(folder, os.path.join(d, "cycle_a.h5")) + ":/x", "--checksum", *allow], "error",
             names=[rel(folder, os.path.join(d, "cycle_a.h5"))])
    os.mkfifo(os.path.join(d, "raw.fifo"))
    for label, target, size in (("a FIFO", "raw.fifo", 128), ("/dev/zero", "/dev/zero", 128),
                                ("a folder", ".", 128), ("/proc/self/mem", "/proc/self/mem", 128)):
        path = os.path.join(d, f"extstore_{len(CASES)}.h5")
        with h5py.File(path, "w") as f:
            f.create_dataset("data", shape=(64,), dtype="<u2", external=[(target, 0, size)])
        case(f"hdf5 external storage in {label}, allowed", "external", "read",
             [rel(folder, path) + ":/data", "--checksum", "--allow-external"], "error", names=[rel(folder, path)])
    # A virtual dataset whose source is the file itself through an external link to itself.
    path = os.path.join(d, "vds_dev.h5")
    layout = h5py.VirtualLayout(shape=(4,), dtype="<u2")
    layout[:] = h5py.VirtualSource("/dev/zero", "d", shape=(4,))
    with h5py.File(path, "w") as f:
        f.create_virtual_dataset("data", layout, fillvalue=1)
    for allow in ([], ["--allow-external"]):
        case(f"hdf5 virtual dataset over /dev/zero {allow}", "external", "read",
             [rel(folder, path) + ":/data", "--checksum", *allow], "error", names=[rel(folder, path)])
    # Special files named .h5.
    for label in ("fifo", "folder", "dev-null"):
        path = os.path.join(d, f"special-{label}.h5")
        if label == "fifo":
            os.mkfifo(path)
        elif label == "folder":
            os.makedirs(path)
        else:
            os.symlink("/dev/null", path)
        case(f"hdf5 input is a {label}", "special files", "read", [rel(folder, path), "--checksum"], "error")
    for label, path in (("tif FIFO", "special.tif"), ("npy /dev/zero", "zero.npy"), ("tif folder", "folder.tif"),
                        ("npy /dev/urandom", "urandom.npy"), ("ome.tif /dev/null", "null.ome.tif")):
        full = os.path.join(d, path)
        if "FIFO" in label:
            os.mkfifo(full)
        elif "folder" in label:
            os.makedirs(full)
        else:
            os.symlink("/dev/" + label.split("/dev/")[1], full)
        case(f"input {label}", "special files", "read", [rel(folder, full), "--checksum"], "error",
             max_memory=64 << 20)
        case(f"input {label}: info", "special files", "info", [rel(folder, full)], "error")


# Cases that fail for a reason too big to fix with the corpus (docs/hostile.md, "Open"):
# run_corpus.py skips them unless given --known, and then reports whether they still fail.
# (None now: the last twelve were fixed by listing only the chunks a read meets and by checking
# a reduction's memory; docs/hostile.md, "Fixed".)
KNOWN = {}


def make_unusual(folder):
    """Valid files off the beaten track, where a reader that does not refuse them may return
    wrong bytes: byte orders, BigTIFF, planar RGB, predictors, Fortran order, fill values,
    HDF5 checksums. Each must read as its library reads it, or be refused cleanly."""
    d = os.path.join(folder, "unusual")
    os.makedirs(d)
    a = values((3, 20, 24), "<u2", 30)
    rgb = values((2, 3, 20, 24), "u1", 31)
    f32 = numpy.random.default_rng(32).random((3, 20, 24)).astype("<f4")
    gray = {"photometric": "minisblack"}  # else tifffile takes a first axis of 3 for RGB
    tiffs = (("big-endian TIFF", a, dict(byteorder=">", **gray)), ("BigTIFF", a, dict(bigtiff=True, **gray)),
             ("planar RGB", rgb, dict(photometric="rgb", planarconfig="separate")),
             ("contiguous RGB", numpy.moveaxis(rgb, 1, -1).copy(), dict(photometric="rgb")),
             ("horizontal predictor", a, dict(compression="zlib", predictor=True, **gray)),
             ("float predictor", f32, dict(compression="zlib", predictor=True, **gray)),
             ("tiles not dividing the image", a, dict(tile=(16, 16), **gray)),
             ("packbits", a[0].astype("u1"), dict(compression="packbits")),
             ("lzw", a, dict(compression="lzw", **gray)), ("zstd", a, dict(compression="zstd", **gray)))
    for label, data, kwargs in tiffs:
        path = os.path.join(d, label.replace(" ", "_") + ".tif")
        try:
            tifffile.imwrite(path, data, **kwargs)
        except Exception:  # noqa: BLE001 - a codec this tifffile lacks: no case
            continue
        reference = reads(lambda: tifffile.imread(path))
        if reference is not None and kwargs.get("planarconfig") == "separate":
            reference = numpy.moveaxis(reference, -3, -1)  # strata gives samples last, whatever the storage
        case(f"unusual: {label}", "unusual but valid", "read", [rel(folder, path), "--checksum"], "either", reference)
    for label, kwargs, data in (("Fortran order", {"order": "F"}, a), ("big-endian", {"dtype": ">u2"}, a),
                                ("fill NaN, one chunk written", {"fill_value": float("nan")}, f32),
                                ("delta filter", {"filters": [numcodecs.Delta(dtype="<u2")]}, a),
                                ("edge chunks of 7", {"chunks": (2, 7, 7)}, a)):
        path = os.path.join(d, label.split(",")[0].replace(" ", "_") + ".zarr")
        options = dict({"chunks": (2, 8, 8), "dtype": data.dtype}, **kwargs)
        z = zarr.open(path, mode="w", shape=data.shape, **options)
        if "one chunk" in label:
            z[0:2, 0:8, 0:8] = data[0:2, 0:8, 0:8]
        else:
            z[...] = data
        case(f"unusual: zarr v2 {label}", "unusual but valid", "read", [rel(folder, path), "--checksum"], "either",
             reads(lambda: zarr.open(path, mode="r")[...]))
    path = os.path.join(d, "unusual.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("big_endian", data=a.astype(">u2"))
        f.create_dataset("fletcher32", data=a, chunks=(1, 20, 24), fletcher32=True, shuffle=True, compression="gzip")
        f.create_dataset("fill", shape=a.shape, dtype="<f4", chunks=(1, 8, 8), fillvalue=float("nan"))
        f["fill"][0, 0:8, 0:8] = 1.5
        f.create_dataset("lzf", data=a, chunks=(1, 10, 10), compression="lzf")
    names = ["big_endian", "fletcher32", "fill", "lzf"]
    for name in names:
        case(f"unusual: hdf5 {name}", "unusual but valid", "read", [rel(folder, path) + ":/" + name, "--checksum"],
             "either", reads(lambda: h5py.File(path, "r")[name][...]), names=[rel(folder, path)])
    # A Fletcher32 checksum that no longer matches its chunk: HDF5 refuses, so must strata.
    with h5py.File(path, "r") as f:
        info = f["fletcher32"].id.get_chunk_info(0)
    broken = os.path.join(d, "fletcher32_broken.h5")
    content = bytearray(open(path, "rb").read())
    content[info.byte_offset + 10] ^= 0x40
    with open(broken, "wb") as f:
        f.write(content)
    case("unusual: hdf5 fletcher32 mismatch", "truncated/flipped", "read",
         [rel(folder, broken) + ":/fletcher32", "--checksum"], "either",
         reads(lambda: h5py.File(broken, "r")["fletcher32"][...]), names=[rel(folder, broken)])


def make_paths(folder):
    """Inputs that are no file of any format: a symbolic link loop, an empty store folder, a
    .zarr that is a plain file, a path through a file."""
    d = os.path.join(folder, "paths")
    os.makedirs(d)
    os.symlink("loop_b.tif", os.path.join(d, "loop_a.tif"))
    os.symlink("loop_a.tif", os.path.join(d, "loop_b.tif"))
    os.makedirs(os.path.join(d, "empty.zarr"))
    with open(os.path.join(d, "file.zarr"), "w") as f:
        f.write("{}")
    with open(os.path.join(d, "plain.h5"), "w") as f:
        f.write("not hdf5")
    for label, name in (("a symbolic link loop", "loop_a.tif"), ("an empty .zarr folder", "empty.zarr"),
                        ("a .zarr that is a file", "file.zarr"), ("a path through a file", "plain.h5/x.npy"),
                        ("an .h5 that is text, with a dataset", "plain.h5:/data")):
        path = os.path.join(d, name)
        case(f"input is {label}", "special files", "read", [rel(folder, path), "--checksum"], "error",
             names=[rel(folder, path.split(":/")[0] if ":/" in path else path)])
        case(f"input is {label}: info", "special files", "info", [rel(folder, path)], "error",
             names=[rel(folder, path.split(":/")[0] if ":/" in path else path)])
    # A name with control characters: the error must still be one line (they are escaped).
    path = os.path.join(d, "new\nline\x1b.tif")
    with open(path, "w") as f:
        f.write("not a tiff")
    shown = rel(folder, path).replace("\n", "\\n").replace("\x1b", "\\x1b")
    case("input is named with a newline", "special files", "read", [rel(folder, path), "--checksum"], "error",
         names=[shown])
    case("input is named with a newline: info", "special files", "info", [rel(folder, path)], "error", names=[shown])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = os.path.abspath(sys.argv[1])
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for make in (make_tiff, make_npy, make_zarr2, make_zarr3, make_hdf5, make_unusual, make_paths):
        make(folder)
    # `plan` and `reduce` on what `read` refuses (the hidden corpus is not only `read`): `plan`
    # decodes nothing, so it may succeed where only the data or the memory is at fault, but it
    # must not hang, crash or print more than one line; `reduce` (which has no --max-memory:
    # the default bound, and the 1 GiB cap of the runner) must refuse.
    for entry in list(CASES):
        if entry["command"] == "read" and entry["expect"] == "error" and "--allow-external" not in entry["args"] \
                and entry["class"] in ("memory bomb", "special files", "escaping paths", "escaping/special files",
                                       "decompression bomb"):
            path = entry["args"][0]
            base = {k: v for k, v in entry.items() if k != "max_memory"}
            CASES.append(dict(base, name=entry["name"] + " [plan -n 3]", command="plan", args=[path, "-n", "3"],
                              expect="either"))
            if entry["class"] in ("memory bomb", "decompression bomb"):
                CASES.append(dict(base, name=entry["name"] + " [reduce max over Y]", command="reduce",
                                  args=[path, "--op", "max", "--axis", "Y", "--checksum"]))
    for entry in CASES:
        if entry["name"] in KNOWN:
            entry["known"] = KNOWN[entry["name"]]
    if set(KNOWN) - {c["name"] for c in CASES}:
        sys.exit(f"KNOWN names no case: {sorted(set(KNOWN) - {c['name'] for c in CASES})}")
    names = [c["name"] for c in CASES]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        sys.exit(f"duplicate case names: {sorted(duplicates)}")
    with open(os.path.join(folder, "cases.json"), "w") as f:
        json.dump(CASES, f, indent=1)
    print(f"{len(CASES)} cases in {folder}")


if __name__ == "__main__":
    main()
