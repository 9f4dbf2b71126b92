#!/usr/bin/python3
"""Checks the confinement policy (docs/security.md) through the CLI on hostile files built here
by h5py, tifffile and by hand:

- HDF5 datasets that read other files (an external link to a contiguous and to a chunked
  dataset, a group reached through an external link and a soft link into it, external storage
  in two files at offsets, a virtual dataset with two source files): `read`, `info` and `plan`
  exit 2 with one `strata: error:` line naming the file and the other file; with
  --allow-external, `read --checksum` equals the XXH3-64 of h5py's values (the external-link
  regression: its holder is larger than the target, so reading the target's offsets in the
  holder gave wrong values without an error). Allowed, a short external storage file and a
  missing virtual source are refused naming them (HDF5 would read zeros or the fill value).
- Multi-file OME-TIFF: a part in a subfolder reads as tifffile wrote it; parts named
  "../other/…", by an absolute path or through a link leading out are refused naming the name.
- Zarr: a multiscales "path" of "../../etc" or absolute, and a chunk key that is a link leading
  out of the store, are refused.

usage: check_confinement.py --strata BIN --ranks N [--mpiexec "mpiexec --oversubscribe"]
                            [--workdir DIR] [--timeout SECONDS]
"""
import json
import os
import sys

import h5py
import numpy
import tifffile
import xxhash

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_files import Report, mpiexec_command, one_json_object, run, script_arguments, work_folder  # noqa: E402

ALLOW = "--allow-external"


def values(shape, dtype, seed):
    return numpy.random.default_rng(seed).integers(0, 60000, shape).astype(dtype)


def xxh3(a):
    return xxhash.xxh3_64_hexdigest(numpy.ascontiguousarray(a).tobytes())


def make_hdf5(folder):
    """The HDF5 cases: name -> (path strata opens, the other file its refusal must name,
    h5py's values or None when allowed reading must fail too, what that failure says)."""
    os.makedirs(os.path.join(folder, "other"))
    data = values((5, 17, 19), "<u2", 1)
    target = os.path.join(folder, "other", "target.h5")
    with h5py.File(target, "w") as f:
        f.create_dataset("data", data=data)
        f.create_dataset("chunked", data=data, chunks=(2, 8, 8), compression="gzip")
    holder = os.path.join(folder, "holder.h5")
    with h5py.File(holder, "w") as f:
        # Larger than the target, so its bytes at the target's offsets exist (and differ).
        f.create_dataset("decoy", data=values((300, 300), "<u2", 2))
        f["ext"] = h5py.ExternalLink("other/target.h5", "/data")
        f["extc"] = h5py.ExternalLink("other/target.h5", "/chunked")
        f["grp"] = h5py.ExternalLink("other/target.h5", "/")
        f["soft"] = h5py.SoftLink("/grp/data")

    raw = data.tobytes()
    cut = 1000
    with open(os.path.join(folder, "raw1.bin"), "wb") as g:
        g.write(b"\1" * 16 + raw[:cut] + b"\2" * 8)
    with open(os.path.join(folder, "raw2.bin"), "wb") as g:
        g.write(b"\3" * 32 + raw[cut:])
    external = os.path.join(folder, "external.h5")
    with h5py.File(external, "w") as f:
        f.create_dataset("data", shape=data.shape, dtype="<u2",
                         external=[("raw1.bin", 16, cut), ("raw2.bin", 32, len(raw) - cut)])
    with open(os.path.join(folder, "short.bin"), "wb") as g:
        g.write(raw[: len(raw) // 2])
    short = os.path.join(folder, "short.h5")
    with h5py.File(short, "w") as f:
        f.create_dataset("data", shape=data.shape, dtype="<u2", external=[("short.bin", 0, len(raw))])

    for z, name in ((slice(0, 2), "src0.h5"), (slice(2, 5), "src1.h5")):
        with h5py.File(os.path.join(folder, name), "w") as f:
            f.create_dataset("d", data=data[z])
    layout = h5py.VirtualLayout(shape=data.shape, dtype="<u2")
    layout[0:2] = h5py.VirtualSource("src0.h5", "d", shape=(2, 17, 19))
    layout[2:5] = h5py.VirtualSource("src1.h5", "d", shape=(3, 17, 19))
    virtual = os.path.join(folder, "virtual.h5")
    with h5py.File(virtual, "w") as f:
        f.create_virtual_dataset("data", layout, fillvalue=0)
    layout[2:5] = h5py.VirtualSource("gone.h5", "d", shape=(3, 17, 19))
    missing = os.path.join(folder, "virtual_missing.h5")
    with h5py.File(missing, "w") as f:
        f.create_virtual_dataset("data", layout, fillvalue=0)
    # Virtual datasets over datasets of their own file (".") that read other files themselves.
    own = os.path.join(folder, "virtual_own.h5")
    with h5py.File(own, "w") as f:
        f.create_dataset("raw", shape=data.shape, dtype="<u2",
                         external=[("raw1.bin", 16, cut), ("raw2.bin", 32, len(raw) - cut)])
        f["link"] = h5py.ExternalLink("other/target.h5", "/data")
        for name, source in (("over_raw", "raw"), ("over_link", "link"), ("over_over_raw", "over_raw")):
            layout = h5py.VirtualLayout(shape=data.shape, dtype="<u2")
            layout[:] = h5py.VirtualSource(".", source, shape=data.shape)
            f.create_virtual_dataset(name, layout, fillvalue=0)

    # h5py's own values, read where h5py finds the other files (external storage: relative
    # to the current folder in HDF5 1.10, hence from the holder's folder).
    here = os.getcwd()
    os.chdir(folder)
    try:
        def read(path, dataset):
            with h5py.File(path, "r") as f:
                return f[dataset][...]
        cases = {
            "external link to a contiguous dataset": (holder + ":/ext", "other/target.h5", read(holder, "ext"), None),
            "external link to a chunked dataset": (holder + ":/extc", "other/target.h5", read(holder, "extc"), None),
            "dataset in a group that is an external link": (holder + ":/grp/data", target, read(holder, "grp/data"),
                                                            None),
            "soft link through an external link": (holder + ":/soft", target, read(holder, "soft"), None),
            "external storage in two files": (external, '"raw1.bin", "raw2.bin"', read(external, "data"), None),
            "external storage in a short file": (short, '"short.bin"', None, "HDF5 would read zeros"),
            "virtual dataset of two files": (virtual, '"src0.h5", "src1.h5"', read(virtual, "data"), None),
            "virtual dataset with a missing source": (missing, '"gone.h5"', None, 'source file "gone.h5" is missing'),
            # Allowed, HDF5 opens a virtual dataset's sources itself, finding their external
            # storage from the current folder (docs/security.md): only the refusal is checked.
            "virtual dataset over its own external storage": (own + ":/over_raw", '"raw1.bin", "raw2.bin"', None,
                                                              None),
            "virtual dataset over its own external link": (own + ":/over_link", target, read(own, "over_link"), None),
            "virtual dataset over a virtual dataset over external storage": (own + ":/over_over_raw", '"raw1.bin"',
                                                                             None, None),
        }
    finally:
        os.chdir(here)
    for name, (_, _, got, _) in cases.items():
        if got is not None and not numpy.array_equal(got, data):
            raise RuntimeError(f"h5py reads {name} unlike what was written")
    return cases


def ome_xml(uuid, parts, shape):
    """OME-XML of a Z stack whose plane z is IFD 0 of parts[z] = (uuid, FileName)."""
    z, y, x = shape
    tiff_data = "".join(f'<TiffData FirstZ="{i}" IFD="0" PlaneCount="1"><UUID FileName="{name}">{u}</UUID>'
                        f'</TiffData>' for i, (u, name) in enumerate(parts))
    return (f'<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" '
            f'UUID="{uuid}"><Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" '
            f'SizeX="{x}" SizeY="{y}" SizeZ="{z}" SizeC="1" SizeT="1"><Channel ID="Channel:0:0" '
            f'SamplesPerPixel="1"/>{tiff_data}</Pixels></Image></OME>')


def make_tiff(folder):
    """A two-file OME-TIFF whose second part is named `name`, for each way of naming it:
    case -> (path strata opens, the name, the stack or None when it must be refused)."""
    stack = values((2, 13, 11), "<u2", 3)
    os.makedirs(os.path.join(folder, "tiff", "other"))
    second = os.path.join(folder, "tiff", "other", "b.ome.tif")
    cases = {}
    names = {"part in a subfolder": ("sub/b.ome.tif", True),
             "part in ../other": ("../other/b.ome.tif", False),
             "part by an absolute path": (second, False),
             "part through a link leading out": ("link.ome.tif", False),
             "part ../../etc/passwd": ("../../../../../../../../etc/passwd", False)}
    for i, (case, (name, allowed)) in enumerate(names.items()):
        inside = os.path.join(folder, "tiff", f"in{i}")
        os.makedirs(os.path.join(inside, "sub"))
        parts = [("urn:uuid:a", "a.ome.tif"), ("urn:uuid:b", name)]
        first = os.path.join(inside, "a.ome.tif")
        tifffile.imwrite(first, stack[0], description=ome_xml("urn:uuid:a", parts, stack.shape), metadata=None)
        where = os.path.join(inside, "sub", "b.ome.tif") if allowed else second
        tifffile.imwrite(where, stack[1], description=ome_xml("urn:uuid:b", parts, stack.shape), metadata=None)
        os.symlink(second, os.path.join(inside, "link.ome.tif"))
        cases[case] = (first, name, stack if allowed else None)
    return cases


def make_zarr(folder):
    """case -> (path strata opens, what its refusal names)."""
    outside = os.path.join(folder, "zarr", "outside")
    os.makedirs(outside)
    array = {"zarr_format": 2, "shape": [3, 4], "chunks": [3, 4], "dtype": "<u2", "compressor": None,
             "fill_value": 0, "order": "C", "filters": None}
    with open(os.path.join(outside, ".zarray"), "w") as f:
        json.dump(array, f)
    with open(os.path.join(outside, "0.0"), "wb") as f:
        f.write(values((3, 4), "<u2", 4).tobytes())
    cases = {}
    for case, path in (("multiscales path ../../etc", "../../etc"), ("multiscales path ../outside", "../outside"),
                       ("absolute multiscales path", outside)):
        store = os.path.join(folder, "zarr", f"image{len(cases)}.ome.zarr")
        os.makedirs(store)
        with open(os.path.join(store, ".zgroup"), "w") as f:
            json.dump({"zarr_format": 2}, f)
        with open(os.path.join(store, ".zattrs"), "w") as f:
            json.dump({"multiscales": [{"version": "0.4", "axes": [{"name": "y"}, {"name": "x"}],
                                        "datasets": [{"path": path}]}]}, f)
        cases[case] = (store, f'names "{path}"')
    store = os.path.join(folder, "zarr", "linked.zarr")
    os.makedirs(store)
    with open(os.path.join(store, ".zarray"), "w") as f:
        json.dump(array, f)
    os.symlink(os.path.join(outside, "0.0"), os.path.join(store, "0.0"))
    cases["chunk key that is a link leading out"] = (store, 'names "0.0"')
    return cases


class Checker:
    def __init__(self, args, report):
        self.args, self.report = args, report

    def strata(self, *strata_args, ranks=None):
        return run(mpiexec_command(self.args.mpiexec, ranks or self.args.ranks) + [self.args.strata, *strata_args],
                   self.args.timeout)

    def refused(self, label, done, *needles):
        """Exit 2, one error line (rank 0 prints it once), naming every needle."""
        errors = [line for line in done.stderr.splitlines() if line.startswith("strata: error:")]
        problems = []
        if done.timed_out or done.returncode != 2 or len(errors) != 1:
            problems.append("expected exit 2 and one error line: " + done.describe())
        elif any(needle not in errors[0] for needle in needles):
            problems.append(f"the error does not name {needles}: {errors[0]}")
        self.report.result(label, problems)

    def read_as(self, label, done, want):
        problems = [] if done.returncode == 0 and not done.timed_out else [done.describe()]
        result = one_json_object(done.stdout.strip())
        if not problems and (result is None or result.get("xxh3") != xxh3(want)):
            problems.append(f"xxh3 is not h5py's/tifffile's {xxh3(want)}: {done.stdout.strip()[:300]}")
        self.report.result(label, problems)

    def hdf5(self, cases):
        for case, (path, other, want, failure) in cases.items():
            holder = path.split(":/")[0]
            self.refused(f"hdf5 {case}: read refused", self.strata("read", path, "--checksum"), holder, other,
                         ALLOW)
            # info and plan open without MPI: one process.
            for command in (["info", path], ["plan", path, "--ranks", "3"]):
                self.refused(f"hdf5 {case}: {command[0]} refused", run([self.args.strata, *command],
                                                                       self.args.timeout), holder, other)
            if want is None and failure is None:
                continue
            allowed = self.strata("read", path, "--checksum", "--json", ALLOW)
            if want is None:
                self.refused(f"hdf5 {case}: refused with {ALLOW} too", allowed, holder, failure)
            else:
                self.read_as(f"hdf5 {case}: {ALLOW} reads h5py's values", allowed, want)
                done = run([self.args.strata, "info", path, "--json", ALLOW], self.args.timeout)
                info = one_json_object(done.stdout.strip())
                self.report.result(f"hdf5 {case}: info {ALLOW}",
                                   [] if info and info.get("shape") == list(want.shape) else [done.describe()])

    def tiff(self, cases):
        for case, (path, name, want) in cases.items():
            done = self.strata("read", path, "--checksum", "--json")
            if want is None:
                self.refused(f"ome-tiff {case}: refused", done, path, f'names "{name}"', "outside the input's folder"
                             if not os.path.isabs(name) else "an absolute path")
            else:
                self.read_as(f"ome-tiff {case}: read as tifffile wrote it", done, want)

    def zarr(self, cases):
        for case, (path, needle) in cases.items():
            self.refused(f"zarr {case}: refused", self.strata("read", path, "--checksum"), path, needle)


def main():
    args = script_arguments(__doc__)
    report = Report()
    with work_folder(args, "strata-confinement-") as folder:
        checker = Checker(args, report)
        checker.hdf5(make_hdf5(folder))
        checker.tiff(make_tiff(folder))
        checker.zarr(make_zarr(folder))
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
