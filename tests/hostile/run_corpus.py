#!/usr/bin/python3
"""Runs the hostile corpus (tests/hostile/README.md) through the strata CLI at N ranks.

usage: run_corpus.py --strata BIN --ranks N --corpus FOLDER [--mpiexec "mpiexec --oversubscribe"]
                     [--workdir DIR] [--timeout 30] [--only GLOB ...] [--slack-mib 96]

FOLDER is what make_corpus.py wrote (cases.json and the files). Every case runs under
mpiexec with each rank wrapped in /usr/bin/time (its peak RSS and how it ended, recorded per
rank), in its own session, killed as a group after --timeout seconds (a hang). A case passes
when no rank died of a signal, nothing hung or was left running, and:
  - "read": every rank exits 0 and the --json result has the reference's shape, dtype and
    XXH3-64 (numpy, tifffile, h5py or zarr-python reading the same bytes);
  - "read_ok": every rank exits 0 (info of huge but valid arrays: fast, within the timeout);
  - "error": every rank exits 2, stderr is exactly one line "strata: error: NAME: ..." naming
    the input (or the case's "names");
  - "either": a clean error as above, or exit 0 with the reference's bytes; exit 0 where the
    reference could not read the file, or read another shape, is counted as "unverified"
    and listed, not failed;
  - a case marked "known" (an open finding, docs/hostile.md) is skipped unless --known is given;
  - a case with "max_memory" passes --max-memory and every rank's peak RSS stays under it plus
    --slack-mib (the process's own baseline: MPI, HDF5, the executable); every other case
    under 1 GiB.
Then the output scenarios (run_outputs in this file): a foreign folder without --force, a
read-only folder, a nearly full tmpfs at N ranks for sharded Zarr v3 and .h5, a symbolic
link as OUT, one rank killed during .h5 and .ome.tif writes and the next write's cleanup,
SIGTERM to mpiexec during an .h5 write.
Exits 1 when a case failed.
"""
import contextlib
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from check_errors import error_line_problems  # noqa: E402
from check_files import Report, mpiexec_command, one_json_object, run, script_arguments, work_folder  # noqa: E402
from check_output_lifecycle import Checker, error_lines, leftovers, processes_naming, tiny_tmpfs  # noqa: E402

# Runs one rank under /usr/bin/time, which writes its peak RSS (KiB) and, when it did not exit
# 0, how it ended ("Command exited with non-zero status 2", "Command terminated by signal 9")
# to $0/rank-N; the wrapper exits 0 so that mpiexec adds no banner of its own.
RANK_SCRIPT = ('/usr/bin/time -f %M -o "$0/rank-${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-$$}}" "$@"; exit 0')
DEFAULT_RSS_CAP = 1 << 30


class Rank:
    def __init__(self, text):
        lines = text.strip().splitlines()
        self.rss = int(lines[-1]) * 1024 if lines and lines[-1].isdigit() else None
        self.signal = self.status = None
        self.status = 0
        for line in lines[:-1]:
            if "terminated by signal" in line:
                self.signal = int(line.split()[-1])
            elif "non-zero status" in line:
                self.status = int(line.split()[-1])


def rank_results(folder, ranks):
    found = []
    for r in range(ranks):
        path = os.path.join(folder, f"rank-{r}")
        found.append(Rank(open(path).read()) if os.path.exists(path) else None)
    return found


def squeezed(shape):
    """A shape without its axes of length 1: strata gives TIFF's TCZYX, numpy what is stored."""
    return [n for n in shape or [] if n != 1]


def substitute(args, corpus, out):
    return [a.replace("@C@", corpus).replace("@O@", out) for a in args]


class Runner:
    def __init__(self, args, report, work):
        self.args, self.report, self.work = args, report, work
        self.unverified = []
        self.slowest = (0.0, "")

    def strata(self, strata_args, timeout=None):
        """Runs strata at --ranks ranks: (Finished, [Rank or None per rank], seconds)."""
        folder = tempfile.mkdtemp(prefix="ranks-", dir=self.work)
        command = mpiexec_command(self.args.mpiexec, self.args.ranks) + [
            "/bin/sh", "-c", RANK_SCRIPT, folder, self.args.strata, *strata_args]
        start = time.monotonic()
        done = run(command, timeout or self.args.timeout)
        seconds = time.monotonic() - start
        ranks = rank_results(folder, self.args.ranks)
        shutil.rmtree(folder, ignore_errors=True)
        return done, ranks, seconds

    def common_problems(self, done, ranks, seconds, cap, marker):
        problems = []
        if done.timed_out:
            problems.append(f"hang: killed after {self.args.timeout:.0f} s")
        if seconds > self.slowest[0]:
            self.slowest = (seconds, marker)
        for r, rank in enumerate(ranks):
            if rank is None:
                if not done.timed_out:
                    problems.append(f"rank {r} left no record (killed with its wrapper?)")
                continue
            if rank.signal:
                problems.append(f"rank {r} died of signal {rank.signal}")
            if rank.rss is not None and rank.rss > cap:
                problems.append(f"rank {r} peak RSS {rank.rss >> 20} MiB > {cap >> 20} MiB")
        left = [pid for pid in processes_naming(marker) if pid not in (os.getpid(), os.getppid())]
        if left:
            problems.append(f"processes still running: {left}")
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        return problems

    def run_case(self, case):
        out = tempfile.mkdtemp(prefix="out-", dir=self.work)
        args = substitute(case["args"], self.args.corpus, out)
        strata_args = [case["command"], *args]
        if case["command"] == "read" and "--checksum" in args:
            strata_args.append("--json")
        cap = DEFAULT_RSS_CAP
        if "max_memory" in case:
            strata_args += ["--max-memory", str(case["max_memory"])]
            cap = case["max_memory"] + (self.args.slack_mib << 20)
        done, ranks, seconds = self.strata(strata_args)
        problems = self.common_problems(done, ranks, seconds, cap, self.args.corpus + "/")
        statuses = {rank.status for rank in ranks if rank is not None and not rank.signal}
        names = substitute(case.get("names", [args[0].split(":/")[0]]), self.args.corpus, out)
        expect = case["expect"]
        error_problems = error_line_problems(done.stderr, "") if statuses == {2} else ["not exit 2"]
        named = done.stderr.strip().removeprefix("strata: error: ").split(": ")[0]
        # The input, or a file inside it (a store's metadata or chunk key, an HDF5 file's dataset).
        if not error_problems and not any(named == n or named.startswith(n.rstrip("/") + "/") or
                                          named.startswith(n + ":/") for n in names):
            error_problems.append(f"the error does not begin with the name of {names}: {done.stderr.strip()!r}")
        if done.timed_out:
            pass
        elif expect == "error":
            if statuses != {2}:
                problems.append(f"expected exit 2 on every rank, got {sorted(statuses)}: {done.describe()}")
            else:
                problems += error_problems
        elif expect in ("read", "read_ok"):
            if statuses != {0}:
                problems.append(f"expected exit 0, got {sorted(statuses)}: {done.describe()}")
            elif expect == "read":
                problems += self.byte_problems(done, case)
        elif expect == "either":
            if statuses == {2}:
                problems += error_problems
            elif statuses == {0}:
                if case["command"] == "read" and "--checksum" in args:
                    result = one_json_object(done.stdout) or {}
                    if "xxh3" not in case or squeezed(result.get("shape")) != squeezed(case["shape"]):
                        self.unverified.append(f"{case['name']}: read {result.get('shape')} {result.get('dtype')}, "
                                               f"reference {case.get('shape', 'refused')}")
                    else:
                        problems += self.byte_problems(done, case)
            else:
                problems.append(f"expected exit 0 or 2 on every rank, got {sorted(statuses)}: {done.describe()}")
        shutil.rmtree(out, ignore_errors=True)
        rss = max((rank.rss or 0 for rank in ranks if rank), default=0) >> 20
        self.report.result(f"[{case['class']}] {case['name']} ({seconds:.1f} s, {rss} MiB)", problems)

    @staticmethod
    def byte_problems(done, case):
        result = one_json_object(done.stdout)
        if result is None:
            return [f"stdout is not one JSON object: {done.stdout[:200]!r}"]
        problems = [f"{key} {result.get(key)!r} != reference {case[key]!r}" for key in ("dtype", "xxh3")
                    if result.get(key) != case[key]]
        if squeezed(result.get("shape")) != squeezed(case["shape"]):
            problems.append(f"shape {result.get('shape')} != reference {case['shape']}")
        return problems


def main():
    args = script_arguments(__doc__, [
        ("--corpus", {"required": True}),
        ("--only", {"action": "append", "default": []}),
        ("--slack-mib", {"type": int, "default": 96}),
        ("--known", {"action": "store_true", "help": "also run the cases marked with an open finding"}),
    ])
    if args.timeout == 120:  # script_arguments' default; the issue's bound per case is 30 s
        args.timeout = 30
    with open(os.path.join(args.corpus, "cases.json")) as f:
        cases = json.load(f)
    if args.only:
        cases = [c for c in cases if any(fnmatch.fnmatchcase(c["name"], p) for p in args.only)]
    report = Report()
    start = time.monotonic()
    args.corpus = os.path.abspath(args.corpus)
    with work_folder(args, "strata-hostile-") as work:
        # The cases name the corpus through a link in this run's own folder, so that the check for
        # processes left running (by command line) sees only this run's, not another rank
        # count's run of the same corpus at the same time (ctest -j).
        os.symlink(args.corpus, os.path.join(work, "corpus"))
        args.corpus = os.path.join(work, "corpus")
        runner = Runner(args, report, work)
        for case in cases:
            if "known" in case and not args.known:
                print(f"SKIP (open finding, --known runs it) {case['name']}: {case['known']}", flush=True)
                continue
            runner.run_case(case)
        if not args.only:
            run_outputs(runner)
    for line in runner.unverified:
        print(f"UNVERIFIED {line}")
    print(f"{len(runner.unverified)} read where the reference could not be compared; slowest case "
          f"{runner.slowest[0]:.1f} s; {time.monotonic() - start:.0f} s in all at {args.ranks} ranks")
    return report.summary()


def output_problems(runner, done, ranks, seconds, output, folder, kept=None):
    """A refused output: exit 2 on every rank, one line naming OUT, neither OUT (unless it is
    `kept`, foreign content that must be unchanged) nor a temporary left in `folder`."""
    problems = runner.common_problems(done, ranks, seconds, DEFAULT_RSS_CAP, output)
    statuses = {rank.status for rank in ranks if rank is not None}
    if statuses != {2}:
        problems.append(f"expected exit 2 on every rank, got {sorted(statuses)}: {done.describe()}")
    else:
        problems += error_line_problems(done.stderr, "")
        if not done.stderr.startswith(f"strata: error: {output}: ") or "strata-tmp" in done.stderr:
            problems.append(f"the message does not name OUT alone: {done.stderr.strip()!r}")
    if kept is None and os.path.lexists(output):
        problems.append("OUT exists after the failure")
    problems += [f"temporary left behind: {p}" for p in leftovers(folder)]
    return problems


def run_outputs(runner):
    """The output scenarios: see the module's docstring."""
    report, work, n = runner.report, runner.work, runner.args.ranks
    source = os.path.join(work, "source.npy")
    rng = numpy.random.default_rng(21)
    data = rng.integers(0, 65535, (12, 200, 256), dtype=numpy.uint16)  # 1.2 MB, incompressible
    numpy.save(source, data)
    # OUT an existing folder that is no output, without --force: refused, content kept.
    for suffix in (".zarr", ".h5", ".ome.tif"):
        output = os.path.join(work, "foreign" + suffix)
        os.makedirs(os.path.join(output, "results"))
        keep = os.path.join(output, "results", "notes.txt")
        with open(keep, "w") as f:
            f.write("precious")
        done, ranks, seconds = runner.strata(["read", source, "-o", output])
        problems = output_problems(runner, done, ranks, seconds, output, work, kept=keep)
        if open(keep).read() != "precious":
            problems.append("the foreign content changed")
        report.result(f"[outputs] -o onto a foreign folder named {suffix} without --force", problems)
        shutil.rmtree(output)
    # OUT a symbolic link to a file elsewhere, with --force: the link may be replaced or the
    # write refused, but the file it points at must not change.
    elsewhere = os.path.join(work, "elsewhere")
    os.makedirs(elsewhere)
    target = os.path.join(elsewhere, "victim.npy")
    numpy.save(target, numpy.arange(10, dtype=numpy.uint8))
    before = open(target, "rb").read()
    output = os.path.join(work, "link.npy")
    os.symlink(target, output)
    done, ranks, seconds = runner.strata(["read", source, "-o", output, "--force"])
    problems = runner.common_problems(done, ranks, seconds, DEFAULT_RSS_CAP, output)
    if open(target, "rb").read() != before:
        problems.append("the file the link points at was overwritten")
    statuses = {rank.status for rank in ranks if rank is not None}
    if statuses == {0} and not numpy.array_equal(numpy.load(output), data):
        problems.append("OUT does not hold the input")
    elif statuses not in ({0}, {2}):
        problems.append(f"expected exit 0 or 2, got {sorted(statuses)}: {done.describe()}")
    problems += [f"temporary left behind: {p}" for p in leftovers(work)]
    report.result(f"[outputs] --force onto a symbolic link to another file (exit {sorted(statuses)})", problems)
    os.remove(output)

    mounted = os.path.join(work, "readonly")
    with tiny_tmpfs(mounted, "1M,ro") as disk:
        if disk is None:
            print("SKIP read-only and nearly full folders: cannot mount a tmpfs here (needs root)", flush=True)
        else:
            for suffix in (".npy", ".zarr", ".h5", ".ome.tif"):
                output = os.path.join(disk, "out" + suffix)
                done, ranks, seconds = runner.strata(["read", source, "-o", output])
                report.result(f"[outputs] -o into a read-only folder ({suffix})",
                              output_problems(runner, done, ranks, seconds, output, disk))
    # Nearly full: 300 KiB free for a 1.2 MB output, in the layouts lifecycle's 1 MiB check
    # leaves out (sharded Zarr v3, pyramids), at this rank count.
    with tiny_tmpfs(os.path.join(work, "full"), "1M") as disk:
        if disk is not None:
            with open(os.path.join(disk, "ballast"), "wb") as f:
                f.write(bytes(700 << 10))
            for extra, suffix in ((["--zarr-format", "3", "--shard", "Z=6"], ".zarr"),
                                  (["--levels", "3"], ".zarr"), (["--levels", "2"], ".ome.tif"),
                                  (["--compress", "blosc-lz4"], ".h5")):
                output = os.path.join(disk, "out" + suffix)
                done, ranks, seconds = runner.strata(["read", source, "-o", output, *extra])
                report.result(f"[outputs] nearly full disk: {suffix} {' '.join(extra)}",
                              output_problems(runner, done, ranks, seconds, output, disk))
                for name in os.listdir(disk):
                    if name != "ballast":
                        shutil.rmtree(os.path.join(disk, name), ignore_errors=True)
    killed_and_interrupted(runner)


def killed_and_interrupted(runner):
    """One rank killed (SIGKILL) during .h5 and .ome.tif writes, then the next write into the
    folder; SIGTERM to mpiexec during an .h5 write."""
    report, n = runner.report, runner.args.ranks
    checker = Checker(runner.args, report, runner.work)
    big = checker.big_input()
    for suffix, extra in ((".h5", ["--compress", "gzip"]), (".ome.tif", ["--compress", "deflate"])):
        folder = os.path.join(runner.work, "killed" + suffix)
        os.makedirs(folder)
        output = os.path.join(folder, "out" + suffix)
        process = checker.start("read", big, "-o", output, *extra, "--max-memory", "8M")
        problems = [] if checker.wait_for_temporary(process, folder) else ["no temporary appeared"]
        victims = [pid for pid in processes_naming(output) if pid != process.pid]
        # The last rank's process (the launcher's children start in rank order).
        if victims:
            os.kill(max(victims), signal.SIGKILL)
        _, _, more = checker.finish(process, output)
        problems += more
        small = os.path.join(runner.work, "small.npy")
        numpy.save(small, numpy.arange(60, dtype=numpy.int16).reshape(3, 4, 5))
        done, ranks, seconds = runner.strata(["read", small, "-o", os.path.join(folder, "next.npy")])
        if {rank.status for rank in ranks if rank} != {0}:
            problems.append("the next write failed: " + done.describe())
        problems += [f"stale temporary not removed by the next write: {p}" for p in leftovers(folder)]
        report.result(f"[outputs] a rank killed during a {suffix} write at {n} ranks; the next write cleans up",
                      problems)
    folder = os.path.join(runner.work, "sigterm")
    os.makedirs(folder)
    output = os.path.join(folder, "out.h5")
    process = checker.start("read", big, "-o", output, "--compress", "gzip", "--max-memory", "8M")
    problems = [] if checker.wait_for_temporary(process, folder) else ["no temporary appeared"]
    process.send_signal(signal.SIGTERM)
    code, stderr, more = checker.finish(process, output)
    problems += more
    lines = error_lines(stderr)
    if code == 0:
        problems.append("exit 0 after SIGTERM")
    if len(lines) != 1 or not lines[0].startswith(f"strata: error: {output}: interrupted"):
        problems.append(f"expected one line 'strata: error: {output}: interrupted …', got {lines}")
    if os.path.lexists(output):
        problems.append("OUT exists after SIGTERM")
    problems += [f"temporary left behind: {p}" for p in leftovers(folder)]
    report.result(f"[outputs] SIGTERM to mpiexec during an .h5 write at {n} ranks", problems)


if __name__ == "__main__":
    sys.exit(main())
