#!/usr/bin/python3
"""Checks `strata read IN -o OUT` for every output format: what it writes, read back by the
format's own library (numpy, h5py, zarr-python, tifffile), equals what tifffile reads from IN.

usage: check_outputs.py --strata BIN --ranks N [--mpiexec "mpiexec --oversubscribe"]
                        [--workdir DIR] [--timeout SECONDS]

Inputs are written here by tifffile (ZYX, TCZYX, CZYX, YX, RGB YXS; uint8, int16, uint16,
float32; odd sizes, fewer planes than ranks). For each output format: every codec on the
first input, the default codec on the others. Then the round trip TIFF -> .h5 -> .zarr ->
.npy -> .ome.tif, each step read by strata from the previous output, and the atomicity
rules: an existing output is refused without --force and replaced with it; a failed read
leaves neither the output nor a temporary file. Exits 1 when a check failed.
"""
import glob
import os
import sys

import numpy
import tifffile

from check_files import Report, mpiexec_command, one_json_object, run, script_arguments, work_folder

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import outputs_hdf5  # noqa: E402
import outputs_ome_tiff  # noqa: E402
import outputs_zarr  # noqa: E402


def read_back_npy(path):
    return numpy.load(path)


# suffix -> (read back with the peer library, codecs strata accepts for it, the default)
PEERS = {
    ".npy": (read_back_npy, ["none"]),
    ".h5": (outputs_hdf5.read_back, outputs_hdf5.CODECS),
    ".zarr": (outputs_zarr.read_back, outputs_zarr.CODECS),
    ".ome.tif": (outputs_ome_tiff.read_back, outputs_ome_tiff.CODECS),
}


def make_inputs(folder):
    """name -> (path, the array tifffile reads back from it)."""
    rng = numpy.random.default_rng(7)
    arrays = {
        "zyx_u16": (rng.integers(0, 65535, (7, 33, 35), dtype=numpy.uint16), "ZYX", {}),
        "tczyx_u8": (rng.integers(0, 255, (2, 3, 4, 17, 19), dtype=numpy.uint8), "TCZYX", {}),
        "czyx_f32": (rng.normal(size=(3, 5, 16, 20)).astype(numpy.float32), "CZYX", {}),
        "yx_i16": (rng.integers(-32768, 32767, (31, 29), dtype=numpy.int16), "YX", {}),
        "yxs_rgb": (rng.integers(0, 255, (21, 23, 3), dtype=numpy.uint8), "YXS", {"photometric": "rgb"}),
    }
    inputs = {}
    for name, (data, axes, extra) in arrays.items():
        path = os.path.join(folder, name + ".ome.tif")
        tifffile.imwrite(path, data, ome=True, metadata={"axes": axes}, **extra)
        inputs[name] = (path, tifffile.imread(path))
    return inputs


class Checker:
    def __init__(self, args, report, folder):
        self.args, self.report, self.folder = args, report, folder

    def strata(self, *strata_args, ranks=None):
        ranks = ranks or self.args.ranks
        return run(mpiexec_command(self.args.mpiexec, ranks) + [self.args.strata, *strata_args],
                   self.args.timeout)

    def convert(self, source, output, codec=None, extra=()):
        """Runs the conversion; returns problems (empty when it succeeded)."""
        done = self.strata("read", source, "-o", output, "--json",
                           *(["--compress", codec] if codec else []), *extra)
        if done.returncode != 0:
            return [done.describe()]
        result = one_json_object(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")
        if result is None:
            return [f"no JSON object on stdout: {done.stdout!r}"]
        if result.get("ranks") != self.args.ranks:
            return [f"ran on {result.get('ranks')} ranks, not {self.args.ranks}"]
        return []

    def compare(self, read_back, output, expected):
        try:
            got = read_back(output)
        except Exception as e:  # the peer library could not read it: that is the failure
            return [f"{type(e).__name__} reading it back: {e}"]
        if isinstance(got, tuple):
            got = got[0]
        got = numpy.asarray(got)
        problems = []
        if got.dtype != expected.dtype:
            problems.append(f"dtype {got.dtype}, expected {expected.dtype}")
        if got.squeeze().shape != expected.squeeze().shape:
            problems.append(f"shape {got.shape}, expected {expected.shape} (up to length-1 axes)")
        elif got.tobytes() != expected.tobytes():
            problems.append("values differ")
        return problems

    def check_format(self, suffix, inputs):
        read_back, codecs = PEERS[suffix]
        for i, (name, (path, expected)) in enumerate(inputs.items()):
            for codec in codecs if i == 0 else [None]:
                output = os.path.join(self.folder, f"{name}-{codec or 'default'}{suffix}")
                problems = self.convert(path, output, codec) or self.compare(read_back, output, expected)
                self.report.result(f"{name} -> {suffix} ({codec or 'default'}) at {self.args.ranks} ranks",
                                   problems)

    def check_round_trip(self, inputs):
        path, expected = inputs["czyx_f32"]
        source, problems = path, []
        for suffix in (".h5", ".zarr", ".npy", ".ome.tif"):
            output = os.path.join(self.folder, "round-trip" + suffix)
            problems = self.convert(source, output)
            if problems:
                problems = [f"writing {suffix}: " + p for p in problems]
                break
            source = output
        problems = problems or self.compare(tifffile.imread, source, expected)
        self.report.result(f"round trip TIFF -> .h5 -> .zarr -> .npy -> .ome.tif at {self.args.ranks} ranks",
                           problems)

    def check_pyramid(self, inputs):
        """--levels 3 on a cut-out with odd sides: every level read back by tifffile (SubIFDs)
        and by strata (--level k) equals NumPy's 2x2 mean of the previous one; the planes
        say where the cut-out lies in the source."""
        rng = numpy.random.default_rng(11)
        cases = {"zyx_u16": (inputs["zyx_u16"][1], "ZYX", {}),
                 "czyx_f32": (inputs["czyx_f32"][1], "CZYX", {}),
                 "yxs_rgb": (inputs["yxs_rgb"][1], "YXS", {"photometric": "rgb"})}
        sized = rng.integers(0, 65535, (6, 41, 39), dtype=numpy.uint16)
        sized_path = os.path.join(self.folder, "sized.ome.tif")
        tifffile.imwrite(sized_path, sized, ome=True, metadata={
            "axes": "ZYX", "PhysicalSizeX": 0.25, "PhysicalSizeY": 0.5, "PhysicalSizeZ": 2.0,
            "PhysicalSizeXUnit": "µm", "PhysicalSizeYUnit": "µm", "PhysicalSizeZUnit": "µm"})
        cases["sized"] = (sized, "ZYX", {"path": sized_path})
        for name, (data, axes, extra) in cases.items():
            path = extra.get("path") or inputs[name][0]
            lead = len(axes) - (3 if axes.endswith("S") else 2)
            # Leading axes from 1 (when longer than 1), Y from 2, X from 1: odd sides at level 0.
            select = [f"{a}=1:" for a, n in zip(axes[:lead], data.shape) if n > 1 and a in "CZT"]
            select += ["Y=2:", "X=1:"]
            cut = data[tuple(slice(1, None) if axes[i] in "CZT" and data.shape[i] > 1 else
                             slice(2, None) if axes[i] == "Y" else slice(1, None) if axes[i] == "X" else slice(None)
                             for i in range(len(axes)))]
            for codec in ("none", "deflate"):
                output = os.path.join(self.folder, f"pyramid-{name}-{codec}.ome.tif")
                problems = self.convert(path, output, codec, extra=["--levels", "3", "--select", ",".join(select),
                                                                    "--max-memory", "256K"])
                problems = problems or outputs_ome_tiff.level_problems(output, cut, 3, axes.endswith("S"))
                reference = cut.squeeze()
                for k in range(3 if not problems else 0):
                    level = os.path.join(self.folder, f"level-{name}-{codec}-{k}.npy")
                    done = self.strata("read", output, "--level", str(k), "-o", level)
                    if done.returncode != 0:
                        problems.append(f"strata --level {k}: " + done.describe())
                        break
                    got = numpy.load(level).squeeze()
                    if got.shape != reference.shape or got.tobytes() != reference.tobytes():
                        problems.append(f"strata --level {k}: differs from NumPy's ({got.shape}, {reference.shape})")
                    reference = outputs_ome_tiff.downsample(reference, axes.endswith("S"))
                if name == "sized" and not problems:
                    expected = [(z, 0, 0, 1 * 0.25, 2 * 0.5, (1 + z) * 2.0, ("µm",) * 3) for z in range(5)]
                    if outputs_ome_tiff.plane_positions(output) != expected:
                        problems.append(f"plane positions {outputs_ome_tiff.plane_positions(output)}, "
                                        f"expected {expected}")
                self.report.result(f"{name} -> .ome.tif --levels 3 ({codec}) at {self.args.ranks} ranks", problems)

    def leftovers(self, output):
        folder, name = os.path.split(output)
        return glob.glob(os.path.join(folder, "." + name + ".strata-tmp-*"))

    def check_atomicity(self, inputs):
        path, expected = inputs["zyx_u16"]
        for suffix in (".npy", ".zarr"):
            output = os.path.join(self.folder, "existing" + suffix)
            problems = self.convert(path, output)
            stamp = os.stat(output).st_mtime_ns if not problems else None
            if not problems:
                done = self.strata("read", path, "-o", output)
                if done.returncode != 2 or "already exists" not in done.stderr:
                    problems.append("an existing output was not refused: " + done.describe())
                elif os.stat(output).st_mtime_ns != stamp:
                    problems.append("the refused write touched the existing output")
            if not problems:
                problems = self.convert(inputs["yx_i16"][0], output, extra=["--force"])
                problems = problems or self.compare(PEERS[suffix][0], output, inputs["yx_i16"][1])
            problems += [f"temporary left behind: {p}" for p in self.leftovers(output)]
            self.report.result(f"existing {suffix}: refused, then replaced with --force", problems)

        # A file cut short fails while reading: nothing may appear at the output.
        truncated = os.path.join(self.folder, "truncated.ome.tif")
        with open(path, "rb") as f:
            data = f.read()
        with open(truncated, "wb") as f:
            f.write(data[: len(data) * 2 // 3])
        for suffix in PEERS:
            output = os.path.join(self.folder, "failed" + suffix)
            done = self.strata("read", truncated, "-o", output)
            problems = []
            if done.returncode != 2 or not any(line.startswith("strata: error: ") for line in done.stderr.splitlines()):
                problems.append("expected exit 2 and one strata: error line: " + done.describe())
            if os.path.lexists(output):
                problems.append("the failed conversion left the output")
            problems += [f"temporary left behind: {p}" for p in self.leftovers(output)]
            self.report.result(f"failed read -> {suffix} leaves nothing", problems)


def main():
    args = script_arguments(__doc__)
    report = Report()
    with work_folder(args, "strata-outputs-") as folder:
        checker = Checker(args, report, folder)
        inputs = make_inputs(folder)
        for suffix in PEERS:
            checker.check_format(suffix, inputs)
        checker.check_round_trip(inputs)
        checker.check_pyramid(inputs)
        checker.check_atomicity(inputs)
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
