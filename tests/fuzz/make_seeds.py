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
