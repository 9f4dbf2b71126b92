#!/usr/bin/python3
"""Checks the life of `strata read IN -o OUT` outside the happy path, through the CLI.

usage: check_output_lifecycle.py --strata BIN --ranks N [--mpiexec "mpiexec --oversubscribe"]
                                 [--workdir DIR] [--timeout SECONDS]

- SIGTERM or SIGINT to mpiexec during a conversion: the job ends (no rank left running)
  with "OUT: interrupted", and neither OUT nor a temporary is left;
- ranks killed with SIGKILL during a conversion leave their temporary; the next conversion
  into the same folder removes it;
- a full disk (a 1 MiB tmpfs, when this process may mount one; skipped, saying so,
  otherwise): every format fails with exit 2 and a message naming OUT, not the hidden
  temporary, and leaves nothing; a compressed .h5 that fits compressed is written;
- --force refuses a folder or file that is not an output of the format written, and keeps it;
- OUT in a folder that cannot be searched: the real cause (Permission denied), not "already
  exists" (run as nobody through setpriv when root);
- usage errors print once per job, not once per rank, and CLI11's bounds are readable.
Exits 1 when a check failed.
"""
import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy

from check_files import Report, mpiexec_command, run, script_arguments, stop, work_folder

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import outputs_hdf5  # noqa: E402


def leftovers(folder):
    return sorted(glob.glob(os.path.join(folder, ".*.strata-tmp-*")))


def processes_naming(text):
    """Pids of live processes whose command line holds `text` (ranks left running)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("strata: error: ")]


@contextlib.contextmanager
def tiny_tmpfs(folder, size="1M"):
    """A tmpfs of `size` mounted on `folder`, or None when mounting is not allowed here."""
    os.makedirs(folder, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder],
                          capture_output=True, text=True)
    if done.returncode != 0:
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", folder], capture_output=True)


class Checker:
    def __init__(self, args, report, folder):
        self.args, self.report, self.folder = args, report, folder

    def command(self, *strata_args, ranks=None):
        return mpiexec_command(self.args.mpiexec, ranks or self.args.ranks) + [self.args.strata, *strata_args]

    def strata(self, *strata_args, ranks=None):
        return run(self.command(*strata_args, ranks=ranks), self.args.timeout)

    def start(self, *strata_args):
        return subprocess.Popen(self.command(*strata_args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, errors="replace", start_new_session=True)

    def wait_for_temporary(self, process, folder, seconds=60):
        """True once a temporary exists in `folder` (the write has begun)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and process.poll() is None:
            if leftovers(folder):
                return True
            time.sleep(0.05)
        return False

    def finish(self, process, output):
        """Waits for the job; returns (returncode, stderr, problems)."""
        problems = []
        try:
            _, stderr = process.communicate(timeout=self.args.timeout)
        except subprocess.TimeoutExpired:
            stop(process)
            _, stderr = process.communicate()
            problems.append("the job did not end after the signal (hang?)")
        time.sleep(0.5)  # ranks the launcher killed may take a moment to be reaped
        running = processes_naming(output)
        if running:
            problems.append(f"processes still running: {running}")
            for pid in running:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        return process.returncode, stderr, problems

    def big_input(self):
        """A 210 MB uint16 stack that takes seconds to convert to gzip-compressed Zarr here."""
        path = os.path.join(self.folder, "big.npy")
        if not os.path.exists(path):
            rng = numpy.random.default_rng(3)
            numpy.save(path, rng.integers(0, 4096, (200, 1024, 512), dtype=numpy.uint16))
        return path

    def start_slow_conversion(self, name):
        """A conversion slow enough to be interrupted (gzip, windows of two planes) into its own
        folder, once its temporary exists: (folder, output, process, problems)."""
        folder = os.path.join(self.folder, name)
        os.makedirs(folder, exist_ok=True)
        output = os.path.join(folder, "out.zarr")
        process = self.start("read", self.big_input(), "-o", output, "--compress", "gzip", "--max-memory", "6M")
        problems = []
        if not self.wait_for_temporary(process, folder):
            problems.append("no temporary appeared: the conversion ended or never began")
        return folder, output, process, problems

    def check_signals(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            folder, output, process, problems = self.start_slow_conversion(f"signal-{sig.name}")
            process.send_signal(sig)  # to mpiexec, which passes it to the ranks
            code, stderr, more = self.finish(process, output)
            problems += more
            if code == 0:
                problems.append("exit status 0 after the signal")
            if os.path.lexists(output):
                problems.append("OUT exists after an interrupted conversion")
            problems += [f"temporary left behind: {p}" for p in leftovers(folder)]
            # OpenMPI's mpiexec passes SIGINT on to the ranks as SIGTERM.
            lines = error_lines(stderr)
            if len(lines) != 1 or lines[0] not in (f"strata: error: {output}: interrupted (SIGTERM)",
                                                   f"strata: error: {output}: interrupted ({sig.name})"):
                problems.append(f"expected one line 'strata: error: {output}: interrupted (SIG…)', "
                                f"got {lines or stderr.strip().splitlines()[-3:]}")
            self.report.result(f"{sig.name} to mpiexec during a conversion at {self.args.ranks} ranks", problems)

    def check_killed_ranks(self):
        """SIGKILL leaves a temporary (nothing can run); the next write beside it removes it."""
        folder, output, process, problems = self.start_slow_conversion("killed")
        for pid in processes_naming(output):
            if pid != process.pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        _, _, more = self.finish(process, output)
        problems += more
        left = leftovers(folder)
        if not left:
            problems.append("SIGKILL left no temporary: the check proves nothing")
        small = os.path.join(self.folder, "small.npy")
        numpy.save(small, numpy.arange(60, dtype=numpy.int16).reshape(3, 4, 5))
        done = self.strata("read", small, "-o", os.path.join(folder, "next.npy"))
        if done.returncode != 0:
            problems.append("the next conversion failed: " + done.describe())
        problems += [f"stale temporary not removed by the next write: {p}" for p in leftovers(folder)]
        self.report.result(f"temporaries of killed ranks removed by the next write ({self.args.ranks} ranks)",
                           problems)

    def check_full_disk(self):
        source = os.path.join(self.folder, "four-mb.npy")
        rng = numpy.random.default_rng(5)
        numpy.save(source, rng.integers(0, 65535, (16, 256, 512), dtype=numpy.uint16))  # 4 MiB, incompressible
        smooth = os.path.join(self.folder, "smooth.npy")
        numpy.save(smooth, (numpy.arange(16 * 256 * 512, dtype=numpy.uint32) // 4096 % 7)
                   .astype(numpy.uint16).reshape(16, 256, 512))
        with tiny_tmpfs(os.path.join(self.folder, "tmpfs")) as disk:
            if disk is None:
                print("SKIP full disk checks: cannot mount a tmpfs here (needs root)", flush=True)
                return
            for suffix, codec in ((".npy", None), (".zarr", "none"), (".ome.tif", None), (".h5", None),
                                  (".h5", "gzip")):
                output = os.path.join(disk, "out" + suffix)
                done = self.strata("read", source, "-o", output, *(["--compress", codec] if codec else []))
                problems = []
                lines = error_lines(done.stderr)
                if done.returncode != 2 or len(lines) != 1:
                    problems.append("expected exit 2 and one error line: " + done.describe())
                elif not lines[0].startswith(f"strata: error: {output}: ") or "strata-tmp" in lines[0]:
                    problems.append(f"the message does not name OUT alone: {lines[0]}")
                elif "space" not in lines[0]:
                    problems.append(f"the message does not say the disk is full: {lines[0]}")
                if os.path.lexists(output):
                    problems.append("OUT exists after the failure")
                problems += [f"temporary left behind: {p}" for p in leftovers(disk)]
                self.report.result(f"full disk -> {suffix} ({codec or 'default'}): names OUT, leaves nothing "
                                   f"[{lines[0] if lines else ''}]", problems)
                for name in os.listdir(disk):
                    shutil.rmtree(os.path.join(disk, name), ignore_errors=True)
            # 4 MiB raw that compresses to a few KiB: fits, so it must not be refused.
            for codec in ("gzip", "blosc-lz4"):
                output = os.path.join(disk, f"fits-{codec}.h5")
                done = self.strata("read", smooth, "-o", output, "--compress", codec)
                problems = [] if done.returncode == 0 else ["refused: " + done.describe()]
                if not problems and not numpy.array_equal(outputs_hdf5.read_back(output)[0], numpy.load(smooth)):
                    problems.append("the data h5py reads back differs")
                problems += [f"temporary left behind: {p}" for p in leftovers(disk)]
                self.report.result(f"compressed .h5 ({codec}) that fits a 1 MiB disk compressed is written",
                                   problems)
                with contextlib.suppress(FileNotFoundError):
                    os.remove(output)

    def check_force(self):
        source = os.path.join(self.folder, "small.npy")
        numpy.save(source, numpy.arange(60, dtype=numpy.int16).reshape(3, 4, 5))
        for suffix in (".zarr", ".h5", ".npy", ".ome.tif"):
            for kind in ("folder", "file"):
                output = os.path.join(self.folder, f"foreign-{kind}{suffix}")
                if kind == "folder":
                    os.makedirs(os.path.join(output, "results"))
                    keep = os.path.join(output, "results", "notes.txt")
                else:
                    keep = output
                with open(keep, "w") as f:
                    f.write("precious")
                done = self.strata("read", source, "-o", output, "--force")
                problems = []
                lines = error_lines(done.stderr)
                if done.returncode != 2 or len(lines) != 1:
                    problems.append("expected exit 2 and one error line: " + done.describe())
                elif not lines[0].startswith(f"strata: error: {output}: exists and is a {kind}, not a") \
                        or "--force replaces only" not in lines[0]:
                    problems.append(f"unclear message: {lines[0]}")
                with open(keep) as f:
                    if f.read() != "precious":
                        problems.append("the foreign content changed")
                problems += [f"temporary left behind: {p}" for p in leftovers(self.folder)]
                self.report.result(f"--force onto a foreign {kind} named {suffix}: refused, kept", problems)
                shutil.rmtree(output, ignore_errors=True) if kind == "folder" else os.remove(output)

    def check_unsearchable_folder(self):
        """OUT's folder exists but cannot be searched: the cause, not "already exists"."""
        base = os.path.join(self.folder, "perm")
        os.makedirs(base)
        os.chmod(self.folder, 0o755)
        os.chmod(base, 0o755)
        source = os.path.join(base, "small.npy")
        numpy.save(source, numpy.arange(60, dtype=numpy.int16).reshape(3, 4, 5))
        locked = os.path.join(base, "locked")
        os.makedirs(locked)
        os.chmod(locked, 0o666)  # readable and writable, but not searchable
        output = os.path.join(locked, "out.npy")
        command = [self.args.strata, "read", source, "-o", output]
        env = dict(os.environ)
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                print("SKIP unsearchable folder: root, and no setpriv to drop privileges", flush=True)
                return
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
            env.pop("OMPI_MCA_orte_tmpdir_base", None)  # the build tree's session folder is root's
        done = subprocess.run(command, capture_output=True, text=True, timeout=self.args.timeout, env=env)
        problems = []
        lines = error_lines(done.stderr)
        if done.returncode != 2 or len(lines) != 1:
            problems.append(f"expected exit 2 and one error line, got {done.returncode}: {done.stderr.strip()}")
        elif "already exists" in lines[0] or "Permission denied" not in lines[0] \
                or not lines[0].startswith(f"strata: error: {output}: "):
            problems.append(f"does not give the real cause: {lines[0]}")
        os.chmod(locked, 0o755)
        self.report.result(f"OUT in an unsearchable folder: Permission denied, not 'already exists' "
                           f"[{lines[0] if lines else ''}]", problems)

    def check_usage_errors(self):
        done = self.strata()
        lines = error_lines(done.stderr)
        problems = [] if done.returncode not in (0, None) and len(lines) == 1 else \
            [f"expected one error line for the job, got {len(lines)}: " + done.describe()]
        self.report.result(f"no subcommand at {self.args.ranks} ranks: the error printed once", problems)
        for strata_args, wanted in ((["read", "x.tif", "--threads", "-1"], "--threads: must be at least 0, not -1"),
                                    (["plan", "x.tif", "-n", "0"], "--ranks: must be at least 1, not 0"),
                                    (["read", "x.tif", "--level", "z"], "--level: 'z' is not a whole number")):
            done = self.strata(*strata_args)
            lines = error_lines(done.stderr)
            problems = [] if done.returncode == 2 and lines == [f"strata: error: {wanted}"] else \
                [f"expected 'strata: error: {wanted}' once: " + done.describe()]
            self.report.result(f"{' '.join(strata_args)}: a readable bound", problems)


def main():
    args = script_arguments(__doc__)
    report = Report()
    with work_folder(args, "strata-lifecycle-") as folder:
        checker = Checker(args, report, folder)
        checker.check_usage_errors()
        checker.check_force()
        checker.check_unsearchable_folder()
        checker.check_full_disk()
        checker.check_signals()
        checker.check_killed_ranks()
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
