#!/usr/bin/python3
"""Checks that strata reads every file of an expected.json as its writer meant.

usage: check_files.py --strata BIN --expected FILE [--base DIR] [--ranks N]
                      [--mpiexec "mpiexec --oversubscribe"] [--only KEY ...]
                      [--formats tiff,ome-tiff] [--skip-formats zarr-v3] [--timeout SECONDS] [--missing-ok]

For each entry (keys are paths relative to --base, by default the folder of FILE; HDF5 keys
are FILE:/dataset; "_about"-like keys starting with "_" and "expected_errors" are skipped):
  - `strata info PATH --json` reports the entry's dims (unless null), shape and dtype, and
    its physical_sizes and channel_names when the entry lists them, the shape of every
    resolution level when it lists "levels", and "storage" when it lists one;
  - `mpiexec -n N strata read PATH --checksum --json` prints one JSON object whose dims,
    shape, dtype, ranks, bytes and xxh3 match, for the whole array and for each selection
    ("select"/"select_shape"/"select_xxh3" and the list "selections").
Prints one line per check and a summary; exits 1 when a check failed, 77 (a ctest skip)
when --missing-ok is given and FILE does not exist. Every command runs under a timeout:
a hang is a failure.
"""
import argparse
import contextlib
import fnmatch
import json
import math
import os
import shlex
import signal
import subprocess
import shutil
import sys
import tempfile

SKIP = 77
DTYPE_SIZES = {"bool": 1, "uint8": 1, "int8": 1, "uint16": 2, "int16": 2, "float16": 2, "uint32": 4,
               "int32": 4, "uint64": 8, "int64": 8, "float32": 4, "float64": 8}
NOT_ENTRIES = ("expected_errors",)


class Finished:
    """What a command did: its exit status (None after a timeout) and its output."""

    def __init__(self, command, returncode, stdout, stderr, timed_out):
        self.command, self.returncode = command, returncode
        self.stdout, self.stderr, self.timed_out = stdout, stderr, timed_out

    def describe(self):
        """A one-line account of a failed command, for the report."""
        if self.timed_out:
            what = "timed out (hang?)"
        elif self.returncode < 0:
            what = f"killed by signal {-self.returncode}"
        else:
            what = f"exit status {self.returncode}"
        lines = self.stderr.strip().splitlines()
        # strata's own message rather than mpiexec's banner about a non-zero exit.
        shown = [line for line in lines if line.startswith("strata: ")] or lines[-3:]
        return what + (f"; stderr: {' | '.join(shown)}" if shown else "")


def run(command, timeout):
    """Runs a command in its own session; on timeout stops it (mpiexec passes SIGTERM on)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, errors="replace", start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        return Finished(command, process.returncode, stdout, stderr, timed_out=False)
    except subprocess.TimeoutExpired:
        stop(process)
        stdout, stderr = process.communicate()
        return Finished(command, process.returncode, stdout, stderr, timed_out=True)


def stop(process):
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=grace)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def one_json_object(text):
    """The single JSON object `text` holds, or None."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def mpiexec_command(launcher, ranks):
    return shlex.split(launcher) + ["-n", str(ranks)]


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def result(self, name, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {name}: " + "; ".join(problems), flush=True)
        else:
            self.passed += 1
            print(f"PASS {name}", flush=True)

    def summary(self):
        total = self.passed + self.failed
        print(f"{total} checks: {self.passed} passed, {self.failed} failed", flush=True)
        return 1 if self.failed else 0


def differences(got, expected, keys):
    """Messages for each key whose value in `got` differs from `expected`."""
    return [f"{key} {got.get(key)!r} != expected {expected[key]!r}"
            for key in keys if got.get(key) != expected[key]]


def physical_size_differences(got, expected):
    problems = []
    for axis, size in expected.items():
        have = (got or {}).get(axis)
        if not have or have.get("unit") != size["unit"] or \
                not math.isclose(have.get("value", math.nan), size["value"], rel_tol=1e-9):
            problems.append(f"physical_sizes[{axis}] {have!r} != expected {size!r}")
    return problems


def check_info(strata, path, entry, timeout):
    done = run([strata, "info", path, "--json"], timeout)
    if done.returncode != 0 or done.timed_out:
        return [done.describe()]
    info = one_json_object(done.stdout)
    if info is None:
        return [f"stdout is not one JSON object: {done.stdout[:200]!r}"]
    expected = {"shape": entry["shape"], "dtype": entry["dtype"]}
    if entry.get("dims") is not None:
        expected["dims"] = entry["dims"]
    problems = differences(info, expected, expected.keys())
    if "channel_names" in entry:
        problems += differences(info, entry, ["channel_names"])
    if "physical_sizes" in entry:
        problems += physical_size_differences(info.get("physical_sizes"), entry["physical_sizes"])
    if "levels" in entry:
        wanted = [level["shape"] for level in entry["levels"]]
        have = [level.get("shape") for level in info.get("levels", [])]
        if have != wanted:
            problems.append(f"levels {have} != expected {wanted}")
    for key in ("storage", "block_shape", "palette"):
        if key in entry:
            problems += differences(info, entry, [key])
    return problems


def check_read(strata, launcher, ranks, path, selection, expected, timeout, level=None):
    """Reads (a selection of) the file, or one of its resolution levels, on `ranks` ranks
    and compares the result."""
    command = mpiexec_command(launcher, ranks) + [strata, "read", path, "--checksum", "--json"]
    if selection is not None:
        command += ["--select", selection]
    if level is not None:
        command += ["--level", str(level)]
    return read_problems(run(command, timeout), ranks, expected)


def read_problems(done, ranks, expected):
    """What differs between a finished `strata read --json` and `expected` (shape, dtype,
    and dims and xxh3 unless absent or None)."""
    if done.returncode != 0 or done.timed_out:
        return [done.describe()]
    result = one_json_object(done.stdout)
    if result is None:
        return [f"stdout is not one JSON object: {done.stdout[:200]!r}"]
    keys = ["shape", "dtype", "ranks"]
    wanted = dict(expected, ranks=ranks)
    if expected["dtype"] in DTYPE_SIZES:
        wanted["bytes"] = math.prod(expected["shape"]) * DTYPE_SIZES[expected["dtype"]]
        keys.append("bytes")
    keys += [key for key in ("dims", "xxh3") if expected.get(key) is not None]
    return differences(result, wanted, keys)


def selections_of(entry):
    """(selection text, shape, xxh3) of every selection an entry lists."""
    found = []
    if "select" in entry:
        found.append((entry["select"], entry["select_shape"], entry.get("select_xxh3")))
    for item in entry.get("selections", []):
        found.append((item["select"], item["shape"], item.get("xxh3")))
    return found


def wanted_entries(expected, only, formats, skip_formats=()):
    for key, entry in expected.items():
        if key.startswith("_") or key in NOT_ENTRIES:
            continue
        if only and not any(fnmatch.fnmatchcase(key, pattern) for pattern in only):
            continue
        if formats and "format" in entry and \
                not any(entry["format"].startswith(prefix) for prefix in formats):
            continue
        if "format" in entry and any(entry["format"].startswith(p) for p in skip_formats):
            continue
        yield key, entry


def check_entry(args, report, key, entry):
    path = os.path.join(args.base, key)
    report.result(f"{key}: info", check_info(args.strata, path, entry, args.timeout))
    whole = {"dims": entry.get("dims"), "shape": entry["shape"], "dtype": entry["dtype"],
             "xxh3": entry.get("xxh3")}
    report.result(f"{key}: read -n {args.ranks}",
                  check_read(args.strata, args.mpiexec, args.ranks, path, None, whole,
                             args.timeout))
    # Multiscale images: `levels` lists every resolution level, level 0 first.
    for level, item in enumerate(entry.get("levels", [])[1:], start=1):
        part = dict(whole, shape=item["shape"], xxh3=item.get("xxh3"))
        report.result(f"{key}: read -n {args.ranks} --level {level}",
                      check_read(args.strata, args.mpiexec, args.ranks, path, None, part,
                                 args.timeout, level))
    for text, shape, checksum in selections_of(entry):
        part = dict(whole, shape=shape, xxh3=checksum)
        report.result(f"{key}: read -n {args.ranks} --select {text}",
                      check_read(args.strata, args.mpiexec, args.ranks, path, text, part,
                                 args.timeout))


def script_arguments(doc, extra=()):
    """The options every CLI check script takes (strata, ranks, launcher, workdir, timeout),
    plus `extra`: (flag, keyword arguments) pairs."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strata", required=True)
    p.add_argument("--ranks", type=int, required=True)
    p.add_argument("--mpiexec", default="mpiexec --oversubscribe")
    p.add_argument("--workdir", help="keep the files here (default: a temporary folder, removed)")
    p.add_argument("--timeout", type=float, default=120)
    for flag, options in extra:
        p.add_argument(flag, **options)
    return p.parse_args()


@contextlib.contextmanager
def work_folder(args, prefix):
    """The folder a check writes in: --workdir (kept), else a temporary one removed after."""
    folder = args.workdir or tempfile.mkdtemp(prefix=prefix)
    os.makedirs(folder, exist_ok=True)
    try:
        yield folder
    finally:
        if not args.workdir:
            shutil.rmtree(folder, ignore_errors=True)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strata", required=True, help="the strata executable")
    parser.add_argument("--expected", required=True, help="an expected.json")
    parser.add_argument("--base", help="folder the keys are relative to (default: FILE's)")
    parser.add_argument("--ranks", type=int, default=1)
    parser.add_argument("--mpiexec", default="mpiexec --oversubscribe",
                        help="launcher command line; '-n N' is appended")
    parser.add_argument("--only", action="append", default=[],
                        help="check only this key (a glob; repeatable)")
    parser.add_argument("--formats", default="",
                        help="comma-separated prefixes of the entries' \"format\" to check")
    parser.add_argument("--skip-formats", default="",
                        help="comma-separated prefixes of the entries' \"format\" to leave out")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per command")
    parser.add_argument("--missing-ok", action="store_true",
                        help=f"exit {SKIP} (skipped) when FILE does not exist")
    args = parser.parse_args()
    if args.base is None:
        args.base = os.path.dirname(os.path.abspath(args.expected))
    args.formats = [f for f in args.formats.split(",") if f]
    args.skip_formats = [f for f in args.skip_formats.split(",") if f]
    return args


def main():
    args = parse_arguments()
    if args.missing_ok and not os.path.exists(args.expected):
        print(f"SKIP: {args.expected} does not exist")
        return SKIP
    with open(args.expected, encoding="utf-8") as f:
        expected = json.load(f)
    entries = list(wanted_entries(expected, args.only, args.formats, args.skip_formats))
    if not entries:
        print(f"no entries of {args.expected} selected")
        return 1
    report = Report()
    for key, entry in entries:
        check_entry(args, report, key, entry)
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
