#!/usr/bin/python3
"""Checks the Zarr outputs beyond a single array: `strata read IN -o OUT.zarr` with
--levels (pyramids), --zarr-format 3 (OME-NGFF 0.5) and --shard, each level read back by a
reader that is not strata and compared with the documented downsampling computed here
with NumPy (docs/formats.md, "Writing"):

  - Zarr v2 pyramids: zarr-python 2 reads every level and the NGFF 0.4 multiscale;
  - Zarr v3, sharded or not, every codec: zarrita (zarrita.js from npm, run by node)
    reads every level and the NGFF 0.5 "ome" attributes; strata itself reads them back
    (its v3 reader, sharding included) with --level and --checksum;
  - a read that fails while shards and levels are written, and shards strata cannot write,
    end in one error on every rank, leaving nothing behind.

usage: check_zarr_outputs.py --strata BIN --ranks N [--mpiexec "mpiexec --oversubscribe"]
                             [--node NODE] [--zarrita NODE_MODULES] [--workdir DIR]

Without node or zarrita (NODE_MODULES/zarrita, installed by `npm install --prefix
BUILD/zarrita zarrita`) the zarrita checks are skipped, saying so; the others still run.
Exits 1 when a check failed.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy
import tifffile
import zarr

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "data"))
from check_files import Report, check_read, mpiexec_command, one_json_object, run, script_arguments, work_folder  # noqa: E402
from check_outputs import make_inputs  # noqa: E402
from fixture_expected import xxh3  # noqa: E402
import outputs_zarr  # noqa: E402


def next_level(a, plane_axes):
    """The documented 2x downsampling: each pixel the mean of the 2x2 block of Y and X it
    covers (partial blocks at odd edges), np.round (half to even) for integers and bool,
    float64 arithmetic cast back for floats."""
    y = a.ndim - plane_axes
    height, width = a.shape[y], a.shape[y + 1]
    h, w = (height + 1) // 2, (width + 1) // 2
    pad = [(0, 0)] * a.ndim
    pad[y], pad[y + 1] = (0, 2 * h - height), (0, 2 * w - width)
    blocks = a.shape[:y] + (h, 2, w, 2) + a.shape[y + 2:]
    sums = numpy.pad(a.astype(numpy.float64), pad).reshape(blocks).sum(axis=(y + 1, y + 3))
    ones = numpy.pad(numpy.ones((height, width)), pad[y:y + 2]).reshape(h, 2, w, 2).sum(axis=(1, 3))
    mean = sums / ones.reshape((h, w) + (1,) * (a.ndim - y - 2))
    if a.dtype.kind in "uib":
        mean = numpy.round(mean)
    return mean.astype(a.dtype)


def pyramid(a, plane_axes, levels):
    """Level k from level k-1, as strata builds them."""
    out = [a]
    for _ in range(1, levels):
        out.append(next_level(out[-1], plane_axes))
    return out


def plane_axes_of(name):
    return 3 if name.startswith("yxs") else 2


def same(got, expected):
    """Problems of `got` (an array) against `expected`: dtype, shape (up to length-1 axes:
    an OME-TIFF input is read as TCZYX), bytes."""
    if got.dtype != expected.dtype:
        return [f"dtype {got.dtype}, expected {expected.dtype}"]
    if got.squeeze().shape != expected.squeeze().shape:
        return [f"shape {got.shape}, expected {expected.shape} (up to length-1 axes)"]
    got = got.reshape(expected.shape)
    if got.tobytes() != expected.tobytes():
        wrong = numpy.argwhere(got != expected)
        return [f"{len(wrong)} values differ, first at {tuple(wrong[0])}: {got[tuple(wrong[0])]} "
                f"instead of {expected[tuple(wrong[0])]}"]
    return []


def expected_transforms(dims, levels, origin, scale0):
    """The coordinateTransformations docs/formats.md promises for each level."""
    y = max(dims.find("Y"), 0)
    out = []
    for k in range(levels):
        scale, translation = [], []
        for i, letter in enumerate(dims):
            down = letter in "YX" and i in (y, y + 1)
            scale.append(scale0[i] * 2 ** k if down else scale0[i])
            t = origin[i] * scale0[i] if letter in "TZYX" else 0.0
            translation.append(t + ((2 ** k - 1) / 2 * scale0[i] if down else 0.0))
        out.append([{"type": "scale", "scale": scale}, {"type": "translation", "translation": translation}])
    return out


def make_zarr_inputs(folder):
    """bool and float16 arrays, which TIFF cannot hold, as zarr-python 2 arrays."""
    rng = numpy.random.default_rng(11)
    arrays = {
        "zyx_bool": rng.integers(0, 2, (5, 13, 11)).astype(bool),
        "zyx_f16": rng.normal(size=(4, 9, 10)).astype(numpy.float16),
    }
    inputs = {}
    for name, data in arrays.items():
        path = os.path.join(folder, name + ".zarr")
        zarr.save_array(path, data, chunks=(1,) + data.shape[1:])
        inputs[name] = (path, data)
    return inputs


class ZarrChecker:
    def __init__(self, args, report, folder):
        self.args, self.report, self.folder = args, report, folder
        modules = args.zarrita
        node = shutil.which(args.node) if args.node else None
        self.node = node
        self.zarrita = modules if modules and node and os.path.isdir(os.path.join(modules, "zarrita")) else None
        if not self.zarrita:
            print(f"SKIP zarrita checks: no zarrita in {modules!r} or no node ({args.node!r}); "
                  "install it with `npm install --prefix BUILD/zarrita zarrita@0.7.5`", flush=True)

    def strata(self, *strata_args):
        return run(mpiexec_command(self.args.mpiexec, self.args.ranks) + [self.args.strata, *strata_args],
                   self.args.timeout)

    def convert(self, source, output, extra):
        done = self.strata("read", source, "-o", output, "--json", *extra)
        if done.returncode != 0:
            return [done.describe()]
        lines = done.stdout.strip().splitlines()
        result = one_json_object(lines[-1] if lines else "")
        if result is None or result.get("ranks") != self.args.ranks:
            return [f"expected one JSON object saying ranks {self.args.ranks}: {done.stdout!r}"]
        return []

    def read_v2(self, output, levels):
        """Every level zarr-python 2 reads, and the multiscale."""
        group = zarr.open_group(output, mode="r")
        multiscale = group.attrs["multiscales"][0]
        arrays = [zarr.open(os.path.join(output, d["path"]), mode="r")[...] for d in multiscale["datasets"]]
        return arrays, multiscale

    def read_zarrita(self, output, dtype):
        """Every level zarrita reads, and the multiscale of the "ome" attributes."""
        dest = output + ".zarrita"
        done = run([self.node, os.path.join(HERE, "zarrita_read.mjs"), self.zarrita, output, dest],
                   self.args.timeout)
        if done.returncode != 0:
            raise RuntimeError("zarrita: " + done.describe())
        result = json.loads(done.stdout)
        arrays = []
        for k, level in enumerate(result["levels"]):
            data = numpy.fromfile(f"{dest}-{k}.bin", dtype=numpy.dtype(level["dtype"]).newbyteorder("<"))
            arrays.append(data.astype(data.dtype.newbyteorder("="), copy=False).reshape(level["shape"]))
        if result["ome"].get("version") != "0.5":
            raise RuntimeError(f"ome version {result['ome'].get('version')!r}, not '0.5'")
        return arrays, result["ome"]["multiscales"][0]

    def read_strata(self, output, expected):
        """strata's own reader on every level (--level k --checksum)."""
        problems = []
        for k, level in enumerate(expected):
            with open(os.path.join(output, str(k), "zarr.json")) as f:
                shape = json.load(f)["shape"]  # the written shape: the reference's, up to length-1 axes
            if numpy.empty(shape).squeeze().shape != level.squeeze().shape:
                problems.append(f"level {k}: zarr.json shape {shape}, expected {list(level.shape)}")
                continue
            want = {"shape": shape, "dtype": str(level.dtype), "xxh3": xxh3(level)}
            problems += [f"strata --level {k}: {p}" for p in
                         check_read(self.args.strata, self.args.mpiexec, self.args.ranks, output, None, want,
                                    self.args.timeout, level=k)]
        return problems

    def check(self, name, source, expected, extra, readers, origin=None):
        """Converts with `extra` options and compares every level with each reader's."""
        levels = int(extra[extra.index("--levels") + 1]) if "--levels" in extra else 1
        output = os.path.join(self.folder, f"{name}-{len(os.listdir(self.folder))}.zarr")
        reference = pyramid(expected, plane_axes_of(name), levels)
        problems = self.convert(source, output, extra)
        for reader in readers if not problems else []:
            if reader == "zarrita" and not self.zarrita:
                continue
            if reader == "strata":
                problems += self.read_strata(output, reference)
                continue
            try:
                arrays, multiscale = (self.read_v2 if reader == "zarr-python" else self.read_zarrita)(
                    output, expected.dtype)
            except Exception as e:  # the reader could not read it: that is the failure
                problems.append(f"{reader}: {type(e).__name__}: {e}")
                continue
            if len(arrays) != levels:
                problems.append(f"{reader}: {len(arrays)} levels, expected {levels}")
            for k, (got, want) in enumerate(zip(arrays, reference)):
                problems += [f"{reader} level {k}: {p}" for p in same(numpy.asarray(got), want)]
            dims = "".join(a["name"] for a in multiscale["axes"]).upper()
            start = [0] * (len(dims) - len(origin or [])) + list(origin or [])  # the input's leading 1s
            transforms = expected_transforms(dims, levels, start, [1.0] * len(dims))
            got = [d["coordinateTransformations"] for d in multiscale["datasets"]]
            if got != transforms:
                problems.append(f"{reader}: coordinateTransformations {got}, expected {transforms}")
        self.report.result(f"{name} {' '.join(extra)} -> {'/'.join(readers)} at {self.args.ranks} ranks", problems)
        return output

    def check_shard_files(self, output, level, count):
        folder = os.path.join(output, level, "c")
        files = [os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs]
        problems = [] if len(files) == count else [f"{len(files)} shard files in level {level}, expected {count}"]
        self.report.result(f"{os.path.basename(output)}: one file per shard in level {level}", problems)

    def check_failed_read(self, data, extra):
        """A source whose last plane does not decode fails while the other planes' shards and
        levels are being written: one error on every rank, and neither the output nor its
        temporary is left."""
        broken = os.path.join(self.folder, "broken.tif")
        tifffile.imwrite(broken, data, compression="zlib", metadata={"axes": "ZYX"})
        with tifffile.TiffFile(broken) as tif:
            offset = tif.pages[len(data) - 1].dataoffsets[0]
        with open(broken, "r+b") as f:  # a deflate stream that is not one
            f.seek(offset)
            f.write(b"\xff" * 16)
        output = os.path.join(self.folder, "failed.zarr")
        done = self.strata("read", broken, "-o", output, *extra)
        problems = []
        if done.returncode != 2 or not any(line.startswith("strata: error: ") for line in done.stderr.splitlines()):
            problems.append("expected exit 2 and a strata: error line: " + done.describe())
        left = [name for name in os.listdir(self.folder) if name.startswith(("failed.zarr", ".failed.zarr"))]
        if left:
            problems.append(f"left behind: {left}")
        self.report.result(f"failed read -> .zarr {' '.join(extra)} leaves nothing at {self.args.ranks} ranks",
                           problems)

    def check_refused(self, source, extra, message):
        output = os.path.join(self.folder, "refused.zarr")
        done = self.strata("read", source, "-o", output, *extra)
        errors = [line for line in done.stderr.splitlines() if line.startswith("strata: error: ")]
        problems = []
        if done.returncode != 2 or len(errors) != 1 or message not in errors[0]:
            problems.append(f"expected exit 2 and one error with {message!r}: " + done.describe())
        if os.path.lexists(output):
            problems.append("the refused conversion left the output")
        self.report.result(f"{' '.join(extra)} refused at {self.args.ranks} ranks", problems)


def main():
    args = script_arguments(__doc__, [("--node", {"default": shutil.which("node")}),
                                      ("--zarrita", {"help": "the node_modules folder holding zarrita"})])
    with work_folder(args, "strata-zarr-outputs-") as folder:
        return check_all(args, folder)


def check_all(args, folder):
    inputs_folder = os.path.join(folder, "inputs")
    os.makedirs(inputs_folder, exist_ok=True)
    outputs = os.path.join(folder, "outputs")
    os.makedirs(outputs, exist_ok=True)
    report = Report()
    c = ZarrChecker(args, report, outputs)
    inputs = make_inputs(inputs_folder)
    inputs.update(make_zarr_inputs(inputs_folder))
    zyx, zyx_data = inputs["zyx_u16"]

    # Zarr v2 pyramids, read by zarr-python 2: every input, every codec on one.
    for name, (path, data) in inputs.items():
        c.check(name, path, data, ["--levels", "3"], ["zarr-python"])
    for codec in outputs_zarr.CODECS:
        c.check("zyx_u16", zyx, zyx_data, ["--levels", "2", "--compress", codec], ["zarr-python"])
    # A selection keeps its origin in the translation.
    c.check("zyx_u16", zyx, zyx_data[1:6, 2:33, 3:30], ["--levels", "3", "--select", "Z=1:6,Y=2:33,X=3:30"],
            ["zarr-python"], origin=[1, 2, 3])

    # Zarr v3 (OME-NGFF 0.5), not sharded: zarrita, every codec; strata on one.
    for codec in outputs_zarr.CODECS:
        c.check("zyx_u16", zyx, zyx_data, ["--zarr-format", "3", "--levels", "2", "--compress", codec],
                ["zarrita"] + (["strata"] if codec == "blosc-lz4" else []))
    for name in ("tczyx_u8", "czyx_f32", "yx_i16", "yxs_rgb", "zyx_bool"):
        path, data = inputs[name]
        c.check(name, path, data, ["--zarr-format", "3", "--levels", "3"], ["zarrita"])

    # Sharded: every codec, shards cut short at the end (7 planes in shards of 3).
    for codec in outputs_zarr.CODECS:
        out = c.check("zyx_u16", zyx, zyx_data,
                      ["--zarr-format", "3", "--shard", "Z=3", "--levels", "2", "--compress", codec],
                      ["zarrita", "strata"])
    c.check_shard_files(out, "0", 3)
    c.check_shard_files(out, "1", 3)
    out = c.check("zyx_u16", zyx, zyx_data[1:6, 2:33, 3:30],
                  ["--zarr-format", "3", "--shard", "Z=8", "--levels", "3", "--select", "Z=1:6,Y=2:33,X=3:30"],
                  ["zarrita", "strata"], origin=[1, 2, 3])
    c.check_shard_files(out, "2", 1)
    for name, shard in (("tczyx_u8", "Z=3"), ("czyx_f32", "Z=2,Y=16,X=20"), ("yxs_rgb", "Y=21,X=100"),
                        ("zyx_bool", "Z=2"), ("zyx_f16", "Z=4")):
        path, data = inputs[name]
        # node 20 has no Float16Array, which zarrita needs for float16: strata reads it.
        readers = ["strata"] if name == "zyx_f16" else ["zarrita", "strata"]
        c.check(name, path, data, ["--zarr-format", "3", "--shard", shard, "--levels", "3"], readers)

    c.check_failed_read(zyx_data, ["--zarr-format", "3", "--shard", "Z=3", "--levels", "3"])

    # Shards strata cannot write.
    c.check_refused(zyx, ["--shard", "Z=3"], "shards are a Zarr v3 feature")
    c.check_refused(inputs["tczyx_u8"][0], ["--zarr-format", "3", "--shard", "C=2"],
                    "a shard of 2 along C is not supported")
    c.check_refused(zyx, ["--zarr-format", "3", "--shard", "Y=8"], "a shard of 8 along Y is smaller than the plane")
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
