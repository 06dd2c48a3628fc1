// Hashes one file with BLAKE3 off the page's thread, a chunk at a time, so
// that the page stays responsive and shows progress for large files. The
// file is read from the local disk by the browser and never leaves it.

import { blake3 } from "./vendor/noble-hashes/blake3.js";

// Large enough that messages are few, small enough that progress moves.
const CHUNK_BYTES = 4 * 1024 * 1024;

function toHex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

self.onmessage = async (event) => {
  const file = event.data.file;
  try {
    const hasher = blake3.create();
    const total = file.size;
    let done = 0;
    self.postMessage({ kind: "progress", done, total });
    while (done < total) {
      const end = Math.min(done + CHUNK_BYTES, total);
      hasher.update(new Uint8Array(await file.slice(done, end).arrayBuffer()));
      done = end;
      self.postMessage({ kind: "progress", done, total });
    }
    self.postMessage({ kind: "done", digest: toHex(hasher.digest()) });
  } catch (error) {
    self.postMessage({ kind: "error", message: String(error && error.message ? error.message : error) });
  }
};
