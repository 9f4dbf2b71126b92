#!/usr/bin/python3
"""Checks that strata fails cleanly: exit status 2 on every rank, one error line, no crash.

usage: check_errors.py --strata BIN [--ranks N] [--mpiexec "mpiexec --oversubscribe"]
                       [--fixtures DIR] [--expected FILE [--base DIR]] [--timeout SECONDS]
                       [--missing-ok]

--fixtures DIR (a folder written by tests/data/make_tiff_fixtures.py) runs the built-in
cases: a missing file, a text file and an empty file named .tif, TIFFs cut to half their
size, selections naming an axis the file lacks, an index past the end, an empty range and
bad syntax, and an unknown option.
--expected FILE runs the "expected_errors" entries of a real-data expected.json: "error"
must fail cleanly; "error_or_read" may instead read and then must match "if_read".

A clean failure: every rank exits with status 2 (each rank runs under a tiny shell wrapper
that records its status, so mpiexec's own abort banner never mixes in), stderr holds
exactly one line, it starts with "strata: error: " and names the file, and nothing hangs
(--timeout, 60 s by default). Exits 1 when a case failed, 77 with --missing-ok when FILE
does not exist.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

from check_files import SKIP, Report, mpiexec_command, read_problems, run

ERROR_PREFIX = "strata: error: "
USAGE_STATUS = 2
# Runs one rank's command and records its exit status under the folder given as $0.
RANK_STATUS_SCRIPT = ('rc=0; "$@" || rc=$?; '
                      'echo $rc > "$0/rank-${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-$$}}"; exit 0')


def rank_statuses(folder):
    statuses = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as f:
            statuses.append(int(f.read().strip()))
    return statuses


def run_everywhere(args, strata_args):
    """Runs strata on every rank; returns (Finished, exit status of each rank)."""
    folder = tempfile.mkdtemp(prefix="rank-status-")
    try:
        command = mpiexec_command(args.mpiexec, args.ranks) + [
            "/bin/sh", "-c", RANK_STATUS_SCRIPT, folder, args.strata, *strata_args]
        done = run(command, args.timeout)
        return done, rank_statuses(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def error_line_problems(stderr, names_file):
    """What is wrong with stderr as the report of one error (`names_file`: text it must hold)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if len(lines) != 1:
        shown = " | ".join(lines[:4])
        return [f"stderr has {len(lines)} lines, expected 1: {shown!r}"]
    problems = []
    if not lines[0].startswith(ERROR_PREFIX):
        problems.append(f"stderr line does not start with {ERROR_PREFIX!r}: {lines[0]!r}")
    if names_file and names_file not in lines[0]:
        problems.append(f"error line does not name {names_file!r}: {lines[0]!r}")
    return problems


def status_problems(args, done, statuses, wanted):
    if done.timed_out:
        return ["timed out (hang?)"]
    if done.returncode != 0:  # the wrappers always exit 0: mpiexec itself failed
        return [f"mpiexec: {done.describe()}"]
    if len(statuses) != args.ranks:
        return [f"{len(statuses)} of {args.ranks} ranks reported an exit status (job aborted?)"]
    if any(s != wanted for s in statuses):
        return [f"rank exit statuses {statuses}, expected {wanted} on every rank"
                + (" (>128: killed by a signal)" if any(s > 128 for s in statuses) else "")]
    return []


def expect_clean_error(args, strata_args, names_file):
    done, statuses = run_everywhere(args, strata_args)
    return (status_problems(args, done, statuses, USAGE_STATUS)
            or error_line_problems(done.stderr, names_file))


def file_part(name):
    """The file of a real-data key ("x.h5:/dataset" -> "x.h5")."""
    return name.split(":/", 1)[0]


# ------------------------------------------------------------ built-in cases

def truncated_copy(source, folder):
    target = os.path.join(folder, "truncated-" + os.path.basename(source))
    with open(source, "rb") as f:
        data = f.read()
    with open(target, "wb") as f:
        f.write(data[: len(data) // 2])
    return target


def builtin_cases(fixtures, folder):
    """(name, strata arguments, text the error line must hold) of each built-in case."""
    ome = os.path.join(fixtures, "ome_tczyx_uint16.ome.tif")  # T=2 C=3 Z=4, no S axis
    if not os.path.exists(ome):
        raise SystemExit(f"check_errors.py: fixture {ome} missing; "
                         "run tests/data/make_tiff_fixtures.py first")
    missing = os.path.join(folder, "no-such-folder", "missing.tif")
    text_file = os.path.join(folder, "not-a-tiff.tif")
    with open(text_file, "w") as f:
        f.write("This is a text file, not a TIFF.\n" * 20)
    empty_file = os.path.join(folder, "empty.tif")
    open(empty_file, "w").close()

    cases = [("missing file", ["read", missing], missing),
             ("text file", ["read", text_file], text_file),
             ("empty file", ["read", empty_file], empty_file)]
    for fixture in ("plain_single_uint8.tif", "ome_tczyx_uint16.ome.tif",
                    "ome_zcyx_int32_tiled_deflate.ome.tif"):
        cut = truncated_copy(os.path.join(fixtures, fixture), folder)
        cases.append((f"{fixture} cut to half", ["read", cut, "--checksum"], cut))
    for selection, why in (("S=0", "axis not in the file"), ("Z=4", "index past the end"),
                           ("Z=3:3", "empty range")):
        cases.append((f"--select {selection} ({why})", ["read", ome, "--select", selection], ome))
    # A Zarr store of 10^7 chunks, none written: a whole read is refused before any chunk is
    # listed (it would list, send and plan all of them for minutes); so is a selection meeting
    # more than --max-chunks.
    many = os.path.join(folder, "ten-million-chunks.zarr")
    os.makedirs(many, exist_ok=True)
    with open(os.path.join(many, ".zarray"), "w") as f:
        json.dump({"zarr_format": 2, "shape": [10, 1000, 1000], "chunks": [1, 1, 1], "dtype": "|u1",
                   "compressor": None, "fill_value": 3, "order": "C", "filters": None}, f)
    cases.append(("a whole read of 10^7 chunks", ["read", many, "--checksum"], many))
    cases.append(("--max-chunks 4, 9 chunks selected",
                  ["read", many, "--select", "Z=0,Y=0:3,X=0:3", "--max-chunks", "4"], many))
    # Usage errors concern no file: only the prefix and the status are required.
    cases.append(("--select Z=a (bad syntax)", ["read", ome, "--select", "Z=a"], None))
    cases.append(("unknown option", ["read", ome, "--no-such-option"], None))
    return cases


def check_builtin(args, report, folder):
    for name, strata_args, names_file in builtin_cases(args.fixtures, folder):
        report.result(f"{name} -n {args.ranks}", expect_clean_error(args, strata_args, names_file))
    # info runs without MPI: its status is the process's own.
    missing = os.path.join(folder, "no-such-folder", "missing.tif")
    done = run([args.strata, "info", missing, "--json"], args.timeout)
    problems = [] if done.returncode == USAGE_STATUS and not done.timed_out else [done.describe()]
    report.result("info on a missing file", problems or error_line_problems(done.stderr, missing))


# ------------------------------------------------------------ real-data cases

def check_expected_error(args, entry):
    path = os.path.join(args.base, entry["name"])
    if entry["expect"] == "error":
        return expect_clean_error(args, ["read", path, "--checksum", "--json"],
                                  os.path.basename(file_part(path)))
    if entry["expect"] != "error_or_read":
        return [f"unknown expectation {entry['expect']!r}"]
    done, statuses = run_everywhere(args, ["read", path, "--checksum", "--json"])
    if not status_problems(args, done, statuses, 0):
        return read_problems(done, args.ranks, entry["if_read"])  # it read: it must be right
    return (status_problems(args, done, statuses, USAGE_STATUS)
            or error_line_problems(done.stderr, os.path.basename(file_part(path))))


def check_real_data(args, report):
    with open(args.expected, encoding="utf-8") as f:
        entries = json.load(f).get("expected_errors", [])
    if not entries:
        report.result(f"{args.expected}: expected_errors", ["no entries"])
    for entry in entries:
        report.result(f"{entry['name']} ({entry['expect']}) -n {args.ranks}",
                      check_expected_error(args, entry))


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strata", required=True, help="the strata executable")
    parser.add_argument("--ranks", type=int, default=1)
    parser.add_argument("--mpiexec", default="mpiexec --oversubscribe",
                        help="launcher command line; '-n N' is appended")
    parser.add_argument("--fixtures", help="folder written by make_tiff_fixtures.py")
    parser.add_argument("--expected", help="a real-data expected.json (its expected_errors)")
    parser.add_argument("--base", help="folder the names are relative to (default: FILE's)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per command")
    parser.add_argument("--missing-ok", action="store_true",
                        help=f"exit {SKIP} (skipped) when --expected FILE does not exist")
    args = parser.parse_args()
    if not args.fixtures and not args.expected:
        parser.error("give --fixtures, --expected or both")
    if args.expected and args.base is None:
        args.base = os.path.dirname(os.path.abspath(args.expected))
    return args


def main():
    args = parse_arguments()
    if args.expected and not os.path.exists(args.expected):
        if args.missing_ok:
            print(f"SKIP: {args.expected} does not exist")
            return SKIP
        raise SystemExit(f"check_errors.py: {args.expected} does not exist")
    report = Report()
    with tempfile.TemporaryDirectory(prefix="strata-errors-") as folder:
        if args.fixtures:
            check_builtin(args, report, folder)
        if args.expected:
            check_real_data(args, report)
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
