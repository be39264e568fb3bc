/**
 * PGlite is one process only and does not lock its data directory itself. A lock file next to the directory keeps
 * a second `npm start` from opening (and corrupting) it. It records the holder's pid and, on Linux, the start time
 * of that process (/proc/<pid>/stat), so a lock left by a crashed routined whose pid now belongs to an unrelated
 * live process is recognised as stale and taken over. (A lock file of an older routined holds only a pid: its
 * holder is stale when that process started after the lock file was written.)
 *
 * The data directory is private: created 0700; an existing directory open to group or others is reported.
 */
import fs from "node:fs";
import path from "node:path";

export class DataDirLockedError extends Error {}

interface LockHolder {
  pid: number;
  /** Clock ticks after boot at which the process started (field 22 of /proc/<pid>/stat); absent off Linux. */
  startTime?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The start time of a process in clock ticks after boot, or undefined where /proc is not available. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count fields after the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** When a process started, in ms since the epoch (Linux; assumes the usual 100 clock ticks a second). */
function processStartedAtMs(pid: number): number | undefined {
  const ticks = processStartTime(pid);
  if (ticks === undefined) return undefined;
  try {
    const btime = /^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"))?.[1];
    return btime ? Number(btime) * 1000 + Number(ticks) * 10 : undefined;
  } catch {
    return undefined;
  }
}

function readHolder(lockPath: string): LockHolder | undefined {
  const text = fs.readFileSync(lockPath, "utf8").trim();
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed === "number") return { pid: parsed };
    if (Number.isInteger(parsed.pid) && parsed.pid! > 0) return { pid: parsed.pid!, startTime: parsed.startTime };
  } catch {
    /* not a lock file we can read: stale */
  }
  return undefined;
}

/** Whether the process that wrote this lock file is still running. */
function holderIsLive(holder: LockHolder, lockPath: string): boolean {
  if (holder.pid === process.pid || !isAlive(holder.pid)) return false;
  const now = processStartTime(holder.pid);
  if (now === undefined) return true; // cannot tell: assume it is the holder
  if (holder.startTime !== undefined) return holder.startTime === now;
  // An older lock file (pid only): a process started after the lock was written did not write it.
  const startedAt = processStartedAtMs(holder.pid);
  return startedAt === undefined || startedAt <= fs.statSync(lockPath).mtimeMs + 2_000;
}

/** Creates the data directory private (0700); returns a warning when an existing one is open to others. */
export function preparePrivateDir(dataDir: string): string | undefined {
  if (!fs.existsSync(dataDir)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700); // whatever the umask
    return undefined;
  }
  const mode = fs.statSync(dataDir).mode & 0o777;
  if (mode & 0o077) {
    return (
      `The data directory ${dataDir} is open to other users (mode ${mode.toString(8).padStart(4, "0")}): they may read or ` +
      `change the database. Make it private with: chmod -R go-rwx ${dataDir}`
    );
  }
  return undefined;
}

export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = path.join(path.dirname(path.resolve(dataDir)), `${path.basename(dataDir)}.lock`);
  const me: LockHolder = { pid: process.pid, startTime: processStartTime(process.pid) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, `${JSON.stringify(me)}\n`, { flag: "wx", mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        fs.rmSync(lockPath, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = readHolder(lockPath);
      if (holder && holderIsLive(holder, lockPath)) {
        throw new DataDirLockedError(
          `The data directory ${dataDir} is in use by another routined process (pid ${holder.pid}). ` +
            `PGlite serves one process only: stop that process, use another ROUTINED_DATA_DIR, ` +
            `or set DATABASE_URL to run several processes on PostgreSQL.`,
        );
      }
      fs.rmSync(lockPath, { force: true }); // stale: its process is gone, or the pid now belongs to another process
    }
  }
  throw new DataDirLockedError(`Could not take the lock file for ${dataDir}`);
}

/**
 * Takes group and other permissions off everything in the directory. PGlite (Emscripten) sets its files to 0666
 * whatever the umask; the private directory keeps others out, and this keeps the files private as well.
 */
export function makePrivate(dir: string): void {
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return; // removed meanwhile
    }
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) fs.chmodSync(p, st.mode & 0o700);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  walk(dir);
}
