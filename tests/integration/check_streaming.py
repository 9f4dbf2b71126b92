#!/usr/bin/python3
"""Checks that conversions stream (`read -o` holds windows of its planes, not its share) and
that gathers respect --max-memory: a 210 MB stack converted to .npy, .zarr and .ome.tif with
--max-memory 24M must peak well under one rank's share (the bound below) and read back
bit-exact; a gather larger than --max-memory is refused before anything is allocated (exit 2,
nothing read); a --max-memory smaller than one plane group is refused.

usage: check_streaming.py --strata BIN --ranks N [--mpiexec "mpiexec --oversubscribe"]
                          [--workdir DIR] [--timeout SECONDS]
"""
import os
import shutil
import sys

import numpy
import tifffile
import zarr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_files import Report, mpiexec_command, one_json_object, run, script_arguments, work_folder  # noqa: E402

MIB = 1 << 20
# A strata rank's own footprint (MPI, libraries, threads) is 25-40 MiB here; streaming adds
# two 8 MiB windows, their levels and the writers' scratch. Holding a rank's share of the
# 210 MB stack (105-210 MB) would exceed this.
PEAK_LIMIT = 96 * MIB


def main():
    args = script_arguments(__doc__)
    report = Report()

    def strata(*strata_args):
        return run(mpiexec_command(args.mpiexec, args.ranks) + [args.strata, *strata_args], args.timeout)

    with work_folder(args, "strata-streaming-") as folder:
        stack = numpy.random.default_rng(5).integers(0, 65535, (400, 512, 512), dtype=numpy.uint16)
        source = os.path.join(folder, "stack.ome.tif")
        tifffile.imwrite(source, stack, ome=True, metadata={"axes": "ZYX"}, rowsperstrip=64)
        readers = {
            ".npy": lambda path: numpy.load(path).reshape(stack.shape),
            ".zarr": lambda path: zarr.open(path, mode="r")["0"][...].reshape(stack.shape),
            ".ome.tif": lambda path: tifffile.imread(path).reshape(stack.shape),
        }
        for suffix, read_back in readers.items():
            output = os.path.join(folder, "out" + suffix)
            done = strata("read", source, "-o", output, "--max-memory", "24M", "--json")
            label = f"{suffix} with --max-memory 24M at {args.ranks} ranks"
            result = one_json_object(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")
            problems = [] if done.returncode == 0 else [done.describe()]
            peak = (result or {}).get("peak_rss_bytes", PEAK_LIMIT)
            if not peak < PEAK_LIMIT:
                problems.append(f"peak RSS {peak / MIB:.0f} MiB is not under {PEAK_LIMIT // MIB} MiB")
            if not problems and not numpy.array_equal(read_back(output), stack):
                problems.append("the output does not read back as the source")
            report.result(label + f" (peak {peak / MIB:.0f} MiB)", problems)
            if os.path.isdir(output):
                shutil.rmtree(output)
            elif os.path.exists(output):
                os.remove(output)

        done = strata("read", source, "--max-memory", "100M", "--checksum")
        problems = []
        if done.returncode != 2 or "more than it may use" not in done.stderr or "max_memory" not in done.stderr:
            problems.append("expected exit 2 naming max_memory: " + done.describe())
        report.result("a gather larger than --max-memory is refused", problems)

        done = strata("read", source, "-o", os.path.join(folder, "tiny.npy"), "--max-memory", "100K")
        problems = []
        if done.returncode != 2 or "max_memory" not in done.stderr or os.path.exists(os.path.join(folder, "tiny.npy")):
            problems.append("expected exit 2 naming max_memory and no output: " + done.describe())
        report.result("a --max-memory below one plane is refused", problems)
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
