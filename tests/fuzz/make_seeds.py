# Writes the whole-file seeds: make_seeds.py tests/fuzz/corpus (/usr/bin/python3: tifffile, numpy).
import io, os, sys
import numpy as np
import tifffile

root = sys.argv[1]
def out(target, name):
    d = os.path.join(root, target); os.makedirs(d, exist_ok=True); return os.path.join(d, name)

rng = np.random.default_rng(0)
# TIFF
tifffile.imwrite(out('fuzz_tiff_file', 'plain_u8.tif'), np.arange(64, dtype=np.uint8).reshape(8, 8))
tifffile.imwrite(out('fuzz_tiff_file', 'stack_u16_strips.tif'), np.arange(3*6*5, dtype=np.uint16).reshape(3, 6, 5), rowsperstrip=2, photometric='minisblack')
tifffile.imwrite(out('fuzz_tiff_file', 'tiled_deflate_pred.tif'), np.tile(np.arange(32, dtype=np.uint16), (32, 1)), tile=(16, 16), compression='zlib', predictor=True)
tifffile.imwrite(out('fuzz_tiff_file', 'rgb_planar_contig.tif'), (np.arange(6*7*3) % 251).astype(np.uint8).reshape(6, 7, 3), photometric='rgb')
tifffile.imwrite(out('fuzz_tiff_file', 'deflate_f32.tif'), np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10), compression='zlib')
tifffile.imwrite(out('fuzz_tiff_file', 'imagej_tzcyx.tif'), np.arange(2*3*2*4*4, dtype=np.uint8).reshape(2, 3, 2, 4, 4), imagej=True, metadata={'axes': 'TZCYX', 'spacing': 0.5, 'unit': 'um'})
tifffile.imwrite(out('fuzz_tiff_file', 'ome_czyx.ome.tif'), np.arange(2*2*4*4, dtype=np.int16).reshape(2, 2, 4, 4), photometric='minisblack', metadata={'axes': 'CZYX', 'PhysicalSizeX': 0.2})
tifffile.imwrite(out('fuzz_tiff_file', 'bigtiff_u32.tif'), np.arange(16*16, dtype=np.uint32).reshape(16, 16), bigtiff=True)
# For strata's IFD walker: big-endian BigTIFF with separate sample planes in tiles (arrays out of
# the entries), and a SubIFD pyramid (tag 330) of two pages, as tifffile writes them.
tifffile.imwrite(out('fuzz_tiff_file', 'bigtiff_be_planar_tiles.tif'), (np.arange(3*32*32) % 251).astype(np.uint8).reshape(3, 32, 32), bigtiff=True, byteorder='>', planarconfig='separate', photometric='rgb', tile=(16, 16))
with tifffile.TiffWriter(out('fuzz_tiff_file', 'pyramid_subifds.tif')) as tif:
    for page in range(2):
        base = (np.arange(32*32, dtype=np.uint16) + page).reshape(32, 32)
        tif.write(base, subifds=2, tile=(16, 16), photometric='minisblack')
        tif.write(base[::2, ::2], subfiletype=1, tile=(16, 16), photometric='minisblack')
        tif.write(base[::4, ::4], subfiletype=1, tile=(16, 16), photometric='minisblack')
# npy
for name, a in {
    'u8_2d.npy': np.arange(12, dtype=np.uint8).reshape(3, 4),
    'f64_be_3d.npy': np.arange(2*3*4, dtype='>f8').reshape(2, 3, 4),
    'i16_1d.npy': np.arange(5, dtype=np.int16),
    'u16_5d.npy': np.arange(2*1*2*3*3, dtype=np.uint16).reshape(2, 1, 2, 3, 3),
    'f32_1x1.npy': np.ones((1, 1), dtype=np.float32),
}.items():
    np.save(out('fuzz_npy_file', name), a)
buf = io.BytesIO()
np.lib.format.write_array(buf, np.arange(6, dtype='<i4').reshape(2, 3), version=(2, 0))
open(out('fuzz_npy_file', 'v2_i32.npy'), 'wb').write(buf.getvalue())

# Chunk data (fuzz_codecs): codec byte, decoded size (uint16 LE), parameter, payload; the
# codec numbers are fuzz_codecs.cpp's switch.
import gzip, json, struct, zlib
from numcodecs import Blosc, Zstd
def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF
def fletcher32(data):  # HDF5's: big-endian 16-bit words, an odd last byte as a high byte
    if len(data) % 2: data = data + b'\0'
    s1 = s2 = 0
    for i in range(0, len(data), 2):
        s1 = (s1 + (data[i] << 8 | data[i + 1])) % 65535; s2 = (s2 + s1) % 65535
    return struct.pack('<I', s2 << 16 | s1)
plain = bytes(range(64)) * 4 + b'strata fuzz seed'
def codec_seed(name, codec, payload, decoded=len(plain), parameter=0):
    open(out('fuzz_codecs', name), 'wb').write(bytes([codec]) + struct.pack('<H', decoded) + bytes([parameter]) + payload)
codec_seed('zlib', 0, zlib.compress(plain))
codec_seed('zlib_prefix', 1, zlib.compress(plain), decoded=100)
codec_seed('gzip', 2, gzip.compress(plain, mtime=0))
codec_seed('zstd', 3, Zstd(level=1).encode(plain))
codec_seed('zstd_prefix', 4, Zstd(level=1).encode(plain), decoded=100)
codec_seed('blosc_lz4_shuffle', 5, Blosc('lz4', 5, Blosc.SHUFFLE).encode(np.frombuffer(plain[:256], dtype='<u2')), decoded=256)
codec_seed('blosc_zstd_bitshuffle', 5, Blosc('zstd', 3, Blosc.BITSHUFFLE).encode(np.frombuffer(plain[:256], dtype='<u4')), decoded=256)
codec_seed('lzf', 6, b'\x02abc\x80\x02', decoded=9)  # "abc", then 6 bytes from 3 back
codec_seed('crc32c', 7, plain + struct.pack('<I', crc32c(plain)))
codec_seed('fletcher32', 8, plain + fletcher32(plain))
codec_seed('unshuffle', 9, plain, parameter=3)
codec_seed('predictors', 10, plain, parameter=0x35)
codec_seed('packed_bits', 11, plain, parameter=0x13)
codec_seed('round_trips', 12, plain, parameter=0x57)
codec_seed('shuffle_crc32c', 13, plain, parameter=7)

# Whole Zarr v3 stores (fuzz_zarr_v3_store): zarr.json, a NUL, then the first chunk or shard,
# written here with the index layouts zarr.json names.
def shard(inner_chunks, index_start, big, crc):
    # inner_chunks: encoded bytes of each inner chunk in C order, None when absent.
    n = len(inner_chunks); index_len = 16 * n + (4 if crc else 0)
    offset = index_len if index_start else 0
    body, entries = b'', b''
    for c in inner_chunks:
        if c is None:
            entries += b'\xff' * 16; continue
        entries += struct.pack('>QQ' if big else '<QQ', offset + len(body), len(c)); body += c
    index = entries + (struct.pack('<I', crc32c(entries)) if crc else b'')
    return index + body if index_start else body + index
def store_seed(name, meta, chunk):
    open(out('fuzz_zarr_v3_store', name), 'wb').write(json.dumps(meta).encode() + b'\0' + chunk)
def array_meta(shape, dtype, chunk_shape, codecs, fill=0, keys=None):
    return {'zarr_format': 3, 'node_type': 'array', 'shape': shape, 'data_type': dtype,
            'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': chunk_shape}},
            'chunk_key_encoding': keys or {'name': 'default'}, 'fill_value': fill, 'codecs': codecs}
def sharding(chunk_shape, codecs, index_start=False, big=False, crc=True):
    index = [{'name': 'bytes', 'configuration': {'endian': 'big' if big else 'little'}}] + ([{'name': 'crc32c'}] if crc else [])
    return {'name': 'sharding_indexed', 'configuration': {'chunk_shape': chunk_shape, 'codecs': codecs,
            'index_codecs': index, 'index_location': 'start' if index_start else 'end'}}
a = np.arange(4 * 8, dtype='<u2').reshape(4, 8)
blocks = [a[y:y + 2, x:x + 4].tobytes() for y in (0, 2) for x in (0, 4)]
le = {'name': 'bytes', 'configuration': {'endian': 'little'}}
store_seed('shard_end_crc_gzip.bin', array_meta([4, 8], 'uint16', [4, 8], [sharding([2, 4], [le, {'name': 'gzip', 'configuration': {'level': 1}}])]),
           shard([gzip.compress(b, mtime=0) for b in blocks], False, False, True))
store_seed('shard_start_big_zstd_absent.bin', array_meta([4, 8], 'uint16', [4, 8], [sharding([2, 4], [le, {'name': 'zstd', 'configuration': {'level': 1, 'checksum': False}}], index_start=True, big=True, crc=False)], fill=7),
           shard([Zstd(level=1).encode(b) for b in blocks[:3]] + [None], True, True, False))
store_seed('shard_blosc_crc_inner.bin', array_meta([4, 8], 'uint16', [4, 8], [sharding([2, 4], [le, {'name': 'blosc', 'configuration': {'cname': 'lz4', 'clevel': 5, 'shuffle': 'shuffle', 'typesize': 2, 'blocksize': 0}}, {'name': 'crc32c'}])]),
           shard([(lambda e: e + struct.pack('<I', crc32c(e)))(Blosc('lz4', 5, Blosc.SHUFFLE).encode(np.frombuffer(b, dtype='<u2'))) for b in blocks], False, False, True))
# Nested: shards of [4, 8] hold [2, 8] shards (index at the start, big endian, crc32c) of [2, 4] chunks stored transposed, big endian.
inner = [{'name': 'transpose', 'configuration': {'order': [1, 0]}}, {'name': 'bytes', 'configuration': {'endian': 'big'}}]
leaf = lambda y, x: a[y:y + 2, x:x + 4].T.astype('>u2').tobytes()
store_seed('nested_shards.bin', array_meta([4, 8], 'uint16', [4, 8], [sharding([2, 8], [sharding([2, 4], inner, index_start=True, big=True)])], keys={'name': 'v2', 'configuration': {'separator': '.'}}),
           shard([shard([leaf(y, 0), leaf(y, 4)], True, True, True) for y in (0, 2)], False, False, True))
store_seed('plain_zstd_crc.bin', array_meta([5], 'bool', [2], [{'name': 'bytes'}, {'name': 'zstd', 'configuration': {'level': 1, 'checksum': False}}, {'name': 'crc32c'}], fill=True),
           (lambda e: e + struct.pack('<I', crc32c(e)))(Zstd(level=1).encode(b'\x01\x00')))
# HDF5 pipelines (codec 14 + 15 * (element size - 1); parameter: first stage, second stage << 3,
# 7 for none; stages undone last to first): deflate alone, then shuffle+deflate of uint32.
codec_seed('hdf5_deflate', 14, zlib.compress(plain), parameter=0 | 7 << 3)
shuffled = np.frombuffer(plain[:256], dtype='u1').reshape(-1, 4).T.tobytes()
codec_seed('hdf5_shuffle_deflate', 14 + 15 * 3, zlib.compress(shuffled), decoded=256, parameter=1 | 0 << 3)
