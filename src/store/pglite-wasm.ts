/**
 * PGlite's WebAssembly (8.7 MB), compiled once per process. V8 compiles it on background threads:
 * `main.ts` starts this before it loads its other modules, so the compilation overlaps their loading,
 * and PGlite.create gets the compiled module instead of reading and compiling the file itself.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

let compiled: Promise<WebAssembly.Module> | undefined;
// The global WebAssembly object (Node's types declare only its namespace of types).
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

export function pgliteWasm(): Promise<WebAssembly.Module> {
  compiled ??= readFile(createRequire(import.meta.url).resolve("@electric-sql/pglite/pglite.wasm")).then((bytes) => wasm.compile(bytes));
  return compiled;
}
