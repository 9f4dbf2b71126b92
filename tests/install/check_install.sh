#!/usr/bin/env bash
# Installs strata from a build tree into a fresh prefix and builds applications against it
# the way a new user would (see tests/install/CMakeLists.txt). Prints what it checks; exits
# non-zero at the first failure.
set -euo pipefail

while (($#)); do
  case "$1" in
    --build) build=$2 ;;
    --source) source=$2 ;;
    --work) work=$2 ;;
    --cmake) cmake=$2 ;;
    --cxx) cxx=$2 ;;
    --launcher-ranks) read -ra launch <<<"$2" ;;
    *) echo "check_install: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
step() { echo "== $*"; }

step "install into $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log"
libdir=$(dirname "$(find "$prefix" -name 'libstrata.so' -print -quit)")
config=$(find "$prefix" -name strataConfig.cmake -print -quit)
[[ -n $config && -f $libdir/pkgconfig/strata.pc ]] || { echo "strataConfig.cmake or strata.pc missing"; exit 1; }

step "the package exports MPI and nothing private"
if grep -nE 'nlohmann|pugixml|TIFF|hdf5|HDF5|blosc|xxhash|deflate|zstd|ZLIB|SKIP_MPICXX' \
    "$(dirname "$config")"/*.cmake "$libdir/pkgconfig/strata.pc"; then
  echo "private dependencies leak into the installed package files"; exit 1
fi

step "every installed header compiles on its own, with strata's and MPI's include folders only"
# MPI's folders as system folders: their C++ bindings warn, strata's headers must not.
mpi_module=$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --print-requires strata)
read -ra mpi_cflags <<<"$(pkg-config --cflags "$mpi_module" | sed 's/-I/-isystem /g')"
for header in "$prefix"/include/strata/*.hpp; do
  echo "#include <strata/$(basename "$header")>" |
    "$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -Werror -x c++ -I"$prefix/include" "${mpi_cflags[@]}" - ||
    { echo "$header does not compile alone"; exit 1; }
done

step "a stack for the consumers: numpy writes it, numpy knows its projection and its sum"
sum=$(/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
work = sys.argv[1]
z, y, x = 9, 11, 13
i = np.arange(z * y * x, dtype=np.uint64).reshape(z, y, x)
stack = ((i * 2654435761) % 65521).astype(np.uint16)
np.save(f"{work}/stack.npy", stack)
np.save(f"{work}/expected_mip.npy", stack.max(axis=0))
print(int(stack.astype(np.uint64).sum()))
PY
)

step "examples/ against the installed package: a separate C++-only CMake project"
"$cmake" -S "$source/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Release >"$work/examples-configure.log" || { cat "$work/examples-configure.log"; exit 1; }
"$cmake" --build "$work/examples" >"$work/examples-build.log" 2>&1 || { cat "$work/examples-build.log"; exit 1; }

step "mip at 2 ranks"
"${launch[@]}" "$work/examples/mip" "$work/stack.npy" -o "$work/mip.npy" | tee "$work/mip.out"
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
work = sys.argv[1]
got, want = np.load(f"{work}/mip.npy"), np.load(f"{work}/expected_mip.npy")
assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape)
assert (got == want).all(), "the projection differs from numpy's stack.max(axis=0)"
line = [l for l in open(f"{work}/mip.out") if l.startswith("mip ")][0]
assert f"11 x 13 uint16 over 2 ranks, sum {int(want.astype(np.uint64).sum())}" in line, line
print("mip.npy == numpy's max over Z")
PY

step "pkg-config: a consumer built with g++ and strata.pc alone"
read -ra flags <<<"$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs strata)"
"$cxx" -std=c++20 -o "$work/consumer" "$source/tests/install/consumer.cpp" "${flags[@]}"
out=$("${launch[@]}" "$work/consumer" "$work/stack.npy")
echo "$out"
[[ $out == "ZYX uint16 sum $sum" ]] || { echo "expected: ZYX uint16 sum $sum"; exit 1; }
echo "install check passed"
