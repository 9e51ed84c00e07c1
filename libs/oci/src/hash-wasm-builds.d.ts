// hash-wasm's one-algorithm builds (resumable-digest.ts) export what its index exports for them, and
// ship no declarations of their own.
declare module 'hash-wasm/dist/sha256.umd.min.js' {
  export { createSHA256 } from 'hash-wasm';
}
declare module 'hash-wasm/dist/sha512.umd.min.js' {
  export { createSHA512 } from 'hash-wasm';
}
