// Reads every level of a Zarr v3 OME-Zarr image with zarrita (zarrita.js, the JavaScript
// Zarr implementation from npm): an independent v3 reader for check_zarr_outputs.py.
//
// usage: node zarrita_read.mjs NODE_MODULES IMAGE.zarr DEST
// Opens the image group as Zarr v3 only, then each dataset of its OME-NGFF 0.5 multiscale;
// writes level k's elements (C order, little endian) to DEST-k.bin and prints one JSON
// object: {"ome": the group's "ome" attributes, "levels": [{"path", "shape", "dtype"}]}.
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const [modules, image, dest] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(modules, file)).href);
const zarr = await load("zarrita/dist/src/index.js");
const { default: FileSystemStore } = await load("@zarrita/storage/dist/src/fs.js");

const root = zarr.root(new FileSystemStore(image));
const group = await zarr.open.v3(root, { kind: "group" });
const ome = group.attrs.ome;
const levels = [];
for (const [k, dataset] of ome.multiscales[0].datasets.entries()) {
  const array = await zarr.open.v3(root.resolve(dataset.path), { kind: "array" });
  const chunk = await zarr.get(array);
  const data = chunk.data;
  fs.writeFileSync(`${dest}-${k}.bin`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  levels.push({ path: dataset.path, shape: chunk.shape, dtype: array.dtype });
}
process.stdout.write(JSON.stringify({ ome, levels }) + "\n");
