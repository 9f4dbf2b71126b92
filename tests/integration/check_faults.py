#!/usr/bin/python3
"""Every failure agreed, in every phase: the fault-injection matrix, through the CLI.

usage: check_faults.py --strata BIN --ranks N [--mpiexec "mpiexec --oversubscribe"]
                       [--workdir DIR] [--timeout SECONDS]

STRATA_FAULT=RANK:PHASE[:N] (docs/architecture.md, "Faults") makes rank RANK fail at its N-th
pass through PHASE. For each phase a command reaches (open, plan, read, exchange, write,
commit, close) x failing rank (0, a middle one, the last) x command (`read --checksum` gathered
on rank 0, `read --layout blocks --checksum`, `read -o out.zarr`, `read -o out.h5` (uncompressed:
its close is collective inside HDF5, and a rank failing there alone aborts the job), the same
gzip-compressed (rank 0 alone closes it), `reduce --op max --axis Z`), the job must end within the timeout with exit status 2 from
mpiexec, exactly one `strata: error:` line, naming the input (or OUT) and the injected fault,
no strata process left running, and neither OUT nor a temporary beside it.

Then an .h5 output onto a nearly full disk (a small tmpfs, when this process may mount one;
skipped, saying so, otherwise): HDF5's collective calls fail inside the library, where the
other ranks cannot be told; the job must still end (no hang, no crash after the message) with
exit 2, the message naming OUT, and no temporary left.
Exits 1 when a check failed.
"""
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import time

import numpy
import tifffile

from check_files import Report, mpiexec_command, script_arguments, stop, work_folder
from check_output_lifecycle import error_lines, processes_naming, tiny_tmpfs

PLANES, HEIGHT, WIDTH = 12, 37, 53  # 12 planes: every rank of 4 reads 3 chunks


def write_input(folder):
    path = os.path.join(folder, "input.tif")
    values = (numpy.arange(PLANES * HEIGHT * WIDTH, dtype=numpy.uint64) * 0x9E3779B97F4A7C15 >> 48)
    tifffile.imwrite(path, values.astype(numpy.uint16).reshape(PLANES, HEIGHT, WIDTH), tile=(16, 16),
                     metadata={"axes": "ZYX"})
    return path


def commands(source, out):
    """name -> (strata arguments, output or None, phases it passes through)."""
    reading = ["open", "plan", "read", "exchange"]
    writing = ["open", "plan", "read", "write", "commit"]
    return {
        "gather": (["read", source, "--checksum"], None, reading),
        "blocks": (["read", source, "--layout", "blocks", "--checksum"], None, reading),
        "zarr": (["read", source, "-o", out + ".zarr"], out + ".zarr", writing),
        # close: inside HDF5's collective close (MPI-IO) one rank fails alone, which cannot be
        # agreed: that rank prints the error, removes the temporary and aborts the job.
        "h5": (["read", source, "-o", out + ".h5"], out + ".h5", writing + ["close"]),
        # Compressed, rank 0 alone holds the file: its close is agreed like any other step.
        "h5-gzip": (["read", source, "-o", out + ".h5", "--compress", "gzip"], out + ".h5", ["write", "close"]),
        "reduce": (["reduce", source, "--op", "max", "--axis", "Z"], None, reading),
    }


def failing_ranks(ranks):
    return sorted({0, ranks // 2, ranks - 1})


def remains(output):
    """What a failed write left: OUT itself and its temporaries."""
    if not output:
        return []
    folder, name = os.path.split(output)
    found = glob.glob(os.path.join(folder, f".{glob.escape(name)}.strata-tmp-*"))
    if os.path.lexists(output):
        found.append(output)
    return sorted(found)


def running(marker):
    """Ranks still alive a moment after mpiexec returned (they may be exiting)."""
    pids = []
    for _ in range(20):
        pids = processes_naming(marker)
        if not pids:
            return []
        time.sleep(0.1)
    return pids


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


class Matrix:
    def __init__(self, args, report, folder):
        self.args, self.report, self.folder = args, report, folder

    def strata(self, arguments, fault, number=0):
        env = dict(os.environ)
        env.pop("STRATA_FAULT", None)
        if fault:
            env["STRATA_FAULT"] = fault
        # OpenMPI jobs started at once share a session folder and may fail to start
        # ("internal failure", open-mpi/ompi#8510): one folder per case.
        env["OMPI_MCA_orte_tmpdir_base"] = os.path.join(self.folder, "sessions", str(number))
        os.makedirs(env["OMPI_MCA_orte_tmpdir_base"], exist_ok=True)
        command = mpiexec_command(self.args.mpiexec, self.args.ranks) + [self.args.strata] + arguments
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   errors="replace", start_new_session=True, env=env)
        try:
            stdout, stderr = process.communicate(timeout=self.args.timeout)
            return process.returncode, stdout, stderr, False
        except subprocess.TimeoutExpired:
            stop(process)
            stdout, stderr = process.communicate()
            return process.returncode, stdout, stderr, True

    def case(self, number, name, fault, expect, about_output=False):
        """Runs command `name` with `fault`; `expect`: the text its one error line must hold
        (None: it must succeed). Each case has its own input name (a link: the marker of its
        processes) and output, so cases may run at once. Returns (title, problems)."""
        source = os.path.join(self.folder, f"in-{number}.tif")
        os.symlink(self.input, source)
        arguments, output, _ = commands(source, os.path.join(self.folder, f"out-{number}"))[name]
        named = output if about_output else source  # the file the message must name
        status, _, stderr, timed_out = self.strata(arguments, fault, number)
        problems = []
        lines = error_lines(stderr)
        if timed_out:
            problems.append(f"timed out after {self.args.timeout} s (hang)")
        elif expect is None:
            if status != 0:
                problems.append(f"exit status {status}: {' | '.join(stderr.splitlines()[-3:])}")
            if output and not os.path.exists(output):
                problems.append("no output")
            remove(output or "")
        else:
            if status != 2:
                problems.append(f"exit status {status}, expected 2")
            if len(lines) != 1:
                problems.append(f"{len(lines)} error lines, expected 1: {' | '.join(lines) or stderr[-300:]}")
            elif expect not in lines[0] or not lines[0].startswith(f"strata: error: {named}: "):
                problems.append(f"the message does not name {named} and '{expect}': {lines[0]}")
            if "Segmentation" in stderr or "Signal:" in stderr:
                problems.append("a rank crashed")
        problems += [f"rank left running: pid {pid}" for pid in running(source)]
        problems += [f"left behind: {p}" for p in remains(output)]
        os.remove(source)
        return f"{name}: " + (f"STRATA_FAULT={fault}" if fault else "no fault"), problems

    def run(self):
        self.input = write_input(self.folder)
        cases = []
        for name, (_, _, phases) in commands("", "").items():
            cases.append((name, None, None, False))
            for phase in phases:
                for rank in failing_ranks(self.args.ranks):
                    # The second chunk read: after other ranks have moved on. Windows: one a rank here.
                    fault = f"{rank}:{phase}:{1 if phase == 'read' else 0}"
                    cases.append((name, fault, f"injected fault in {phase} on rank {rank}",
                                  phase in ("write", "commit", "close")))
        cases.append(("h5", "0:nowhere", "STRATA_FAULT='0:nowhere' is not RANK:PHASE[:N]", False))
        # A few launches at once: mpiexec mostly waits while starting and ending ranks.
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            for title, problems in pool.map(lambda c: self.case(c[0], *c[1]), enumerate(cases)):
                self.report.result(title, problems)

    def check_nearly_full_disk(self):
        """An .h5 output onto a tmpfs with a few KiB free: HDF5 fails inside its collective calls."""
        source = os.path.join(self.folder, "small.npy")
        rng = numpy.random.default_rng(7)
        numpy.save(source, rng.integers(0, 65535, (16, 128, 256), dtype=numpy.uint16))  # 1 MiB
        with tiny_tmpfs(os.path.join(self.folder, "tmpfs"), size="8M") as disk:
            if disk is None:
                print("SKIP nearly full disk checks: cannot mount a tmpfs here (needs root)", flush=True)
                return
            filler = os.path.join(disk, "filler")
            output = os.path.join(disk, "out.h5")
            for free_kib, codec in ((0, "none"), (8, "none"), (16, "none"), (64, "none"), (8, "gzip")):
                stats = os.statvfs(disk)
                with open(filler, "wb"):
                    pass
                subprocess.run(["fallocate", "-l", str(stats.f_blocks * stats.f_frsize - free_kib * 1024), filler],
                               check=True)
                status, _, stderr, timed_out = self.strata(["read", source, "-o", output, "--compress", codec], None)
                lines = error_lines(stderr)
                problems = []
                if timed_out:
                    problems.append(f"timed out after {self.args.timeout} s (hang)")
                elif status != 2:
                    problems.append(f"exit status {status}, expected 2: {' | '.join(stderr.splitlines()[-3:])}")
                if "Segmentation" in stderr or "Signal:" in stderr:
                    problems.append("a rank crashed")
                if len(lines) != 1:
                    problems.append(f"{len(lines)} error lines, expected 1: {lines}")
                elif not lines[0].startswith(f"strata: error: {output}: ") or "strata-tmp" in lines[0]:
                    problems.append(f"the message does not name OUT alone: {lines[0]}")
                problems += [f"rank left running: pid {pid}" for pid in running(source)]
                problems += [f"left behind: {p}" for p in remains(output)]
                self.report.result(f"nearly full disk ({free_kib} KiB free) -> .h5 ({codec}): ends, names OUT, leaves nothing "
                                   f"[{lines[0] if lines else ''}]", problems)
                for name in os.listdir(disk):
                    remove(os.path.join(disk, name))


def main():
    args = script_arguments(__doc__, [("--jobs", {"type": int, "default": 3,
                                                  "help": "cases run at once (default 3)"})])
    report = Report()
    with work_folder(args, "strata-faults-") as folder:
        matrix = Matrix(args, report, folder)
        matrix.run()
        matrix.check_nearly_full_disk()
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
