/**
 * Whether the server can be reached. A failed request marks the app offline; while offline a probe
 * asks the server every 2 s, and the first answer marks it online again, which makes every view
 * load again (`useRefresh`).
 */
type Listener = () => void;
const listeners = new Set<Listener>();
let offline = false;
let probe: ReturnType<typeof setInterval> | undefined;
/** Bumped whenever the views should load again (back online, a write elsewhere). */
let generation = 0;

function emit() {
  for (const fn of listeners) fn();
}

export function subscribe(fn: Listener) {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}

export const isOffline = () => offline;
export const currentGeneration = () => generation;

/** Every view loads its data again. */
export function refreshAll() {
  generation++;
  emit();
}

export function markOffline() {
  if (offline) return;
  offline = true;
  emit();
  probe = setInterval(async () => {
    try {
      await fetch("/api/openapi.json", { method: "HEAD", cache: "no-store" });
      markOnline();
    } catch {
      // still unreachable: the next probe tries again
    }
  }, 2000);
}

export function markOnline() {
  if (!offline) return;
  offline = false;
  clearInterval(probe);
  refreshAll();
}
