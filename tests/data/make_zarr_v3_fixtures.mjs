// zarrita (https://github.com/manzt/zarrita.js, the JavaScript Zarr v3 reader and writer) as
// the independent v3 implementation behind make_zarr_v3_fixtures.py, which computes every
// array's values with numpy and hands them over as raw files.
//
// usage: node make_zarr_v3_fixtures.mjs NODE_MODULES JOBS.json
//   NODE_MODULES: the node_modules folder holding zarrita and @zarrita/storage (.ci/setup
//   installs them into build/zarrita/node_modules).
//   JOBS.json: {"write": [{path, shape, chunks, dtype, codecs, fill_value, separator,
//               attributes, raw, region}], "groups": [{path, attributes}],
//               "read": [{path, raw}]}
//   write: creates the array with zarrita and sets `region` ([[start, stop], ...] per axis;
//     absent = all) from `raw` (the whole array's C-order little-endian bytes);
//   groups: a group's zarr.json with attributes (OME-NGFF 0.5);
//   read: reads the whole array at `path` with zarrita and writes its C-order little-endian
//     bytes to `raw` (checks the files make_zarr_v3_fixtures.py wrote by hand).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, jobsPath] = process.argv.slice(2);
if (!modules || !jobsPath) {
  console.error("usage: node make_zarr_v3_fixtures.mjs NODE_MODULES JOBS.json");
  process.exit(2);
}
const load = (file) => import(pathToFileURL(join(modules, file)).href);
const zarr = await load("zarrita/dist/src/index.js");
const FileSystemStore = (await load("@zarrita/storage/dist/src/fs.js")).default;
const jobs = JSON.parse(readFileSync(jobsPath, "utf8"));

const typed = {
  bool: (b) => new zarr.BoolArray(b),
  int8: (b) => new Int8Array(b), uint8: (b) => new Uint8Array(b),
  int16: (b) => new Int16Array(b), uint16: (b) => new Uint16Array(b),
  int32: (b) => new Int32Array(b), uint32: (b) => new Uint32Array(b),
  int64: (b) => new BigInt64Array(b), uint64: (b) => new BigUint64Array(b),
  float32: (b) => new Float32Array(b), float64: (b) => new Float64Array(b),
};

const cStrides = (shape) => {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; --i) s[i] = s[i + 1] * shape[i + 1];
  return s;
};

// The raw bytes (a Buffer) as a zarrita chunk of the whole array.
function wholeArray(dtype, shape, raw) {
  const bytes = readFileSync(raw);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { data: typed[dtype](buffer), shape, stride: cStrides(shape) };
}

// The part [start, stop) per axis of a C-order chunk, as a new C-order chunk.
function part(whole, region) {
  const shape = region.map(([a, b]) => b - a);
  const count = shape.reduce((x, y) => x * y, 1);
  const out = whole.data.constructor === zarr.BoolArray
    ? new zarr.BoolArray(count) : new whole.data.constructor(count);
  const at = new Array(shape.length).fill(0);
  for (let k = 0; k < count; ++k) {
    let from = 0;
    for (let i = 0; i < shape.length; ++i) from += (region[i][0] + at[i]) * whole.stride[i];
    if (out instanceof zarr.BoolArray) out.set(k, whole.data.get(from));
    else out[k] = whole.data[from];
    for (let i = shape.length - 1; i >= 0 && ++at[i] === shape[i]; --i) at[i] = 0;
  }
  return { data: out, shape, stride: cStrides(shape) };
}

// zarrita 0.7.5 hands blosc's configuration to numcodecs.js as it is, and numcodecs.js wants
// the shuffle as a number (a name silently means no shuffle): zarrita encodes with the
// number, then zarr.json gets the spec's name back.
const SHUFFLES = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };
const forEncoder = (codecs) => codecs.map((c) =>
  c.name === "blosc" ? { ...c, configuration: { ...c.configuration, shuffle: SHUFFLES[c.configuration.shuffle] } } : c);

for (const job of jobs.write ?? []) {
  const store = new FileSystemStore(job.path);
  const arr = await zarr.create(zarr.root(store), {
    shape: job.shape, chunkShape: job.chunks, dtype: job.dtype, codecs: forEncoder(job.codecs),
    fillValue: typeof job.fill_value === "string" ? Number(job.fill_value) : job.fill_value,
    chunkSeparator: job.separator, attributes: job.attributes,
  });
  const whole = wholeArray(job.dtype, job.shape, job.raw);
  if (job.region) {
    await zarr.set(arr, job.region.map(([a, b]) => zarr.slice(a, b)), part(whole, job.region));
  } else {
    await zarr.set(arr, null, whole);
  }
  const metadata = join(job.path, "zarr.json");
  writeFileSync(metadata, JSON.stringify({ ...JSON.parse(readFileSync(metadata, "utf8")), codecs: job.codecs }, null, 2));
}

for (const job of jobs.groups ?? []) {
  await zarr.create(zarr.root(new FileSystemStore(job.path)), { attributes: job.attributes });
}

for (const job of jobs.read ?? []) {
  const arr = await zarr.open(zarr.root(new FileSystemStore(job.path)), { kind: "array" });
  const got = await zarr.get(arr);
  const count = got.shape.reduce((x, y) => x * y, 1);
  const isBool = got.data instanceof zarr.BoolArray;
  const out = isBool ? new Uint8Array(count) : new got.data.constructor(count);
  const at = new Array(got.shape.length).fill(0);
  for (let k = 0; k < count; ++k) {  // C order, whatever strides zarrita returned
    let from = 0;
    for (let i = 0; i < got.shape.length; ++i) from += at[i] * got.stride[i];
    out[k] = isBool ? (got.data.get(from) ? 1 : 0) : got.data[from];
    for (let i = got.shape.length - 1; i >= 0 && ++at[i] === got.shape[i]; --i) at[i] = 0;
  }
  writeFileSync(job.raw, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
}
