/**
 * Where the files that ship beside the code are (`store/migrations/`, the database template, and
 * `../dist/ui/`, which build:ui makes):
 * `src/` when the sources run through tsx (tests, benches), `dist/` when the built code runs — the
 * build bundles every module into `dist/` (no subfolders) and copies those files to the same places.
 */
export const SOURCE_ROOT = new URL("./", import.meta.url);

/** A file or folder below the source root. */
export const sourceFile = (relative: string): URL => new URL(relative, SOURCE_ROOT);
