/**
 * Which time zone names are accepted, and what to suggest for a misspelt one
 * ("Invalid timezone: Europe/Amsterdm (did you mean Europe/Amsterdam?)").
 *
 * A name is accepted when Intl knows it and it is spelt as the tz database spells it: the names of
 * `Intl.supportedValuesOf("timeZone")`, "UTC", `Etc/*` and other tz database links such as
 * "Asia/Kolkata" or "US/Eastern" (Node's ICU lists some zones under older names). A name Intl only
 * knows case-insensitively ("america/new_york") is refused with the right spelling as suggestion.
 */
import { unprocessable } from "./errors";

/** Current tz database names that Node 20's ICU lists under an older name. */
const CURRENT_NAMES = [
  "UTC", "Etc/UTC", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Yangon", "Asia/Ho_Chi_Minh", "Europe/Kyiv",
  "Africa/Asmara", "America/Nuuk", "America/Atikokan", "America/Argentina/Buenos_Aires",
  "America/Argentina/Catamarca", "America/Argentina/Cordoba", "America/Argentina/Jujuy",
  "America/Argentina/Mendoza", "America/Indiana/Indianapolis", "America/Kentucky/Louisville",
  "Atlantic/Faroe", "Pacific/Kanton", "Pacific/Pohnpei", "Pacific/Chuuk",
];

let known: string[] | undefined;
/** Every name we know how to spell: ICU's list plus the current names it lacks. */
function knownNames(): string[] {
  const icu = Intl.supportedValuesOf("timeZone");
  known ??= [...new Set([...icu, ...CURRENT_NAMES.filter((name) => canonicalOf(name) !== null)])];
  return known;
}
let knownSet: Set<string> | undefined;

/** Intl's canonical name for a zone, or null when Intl does not know it. */
function canonicalOf(name: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function isValidTimezone(name: string): boolean {
  knownSet ??= new Set(knownNames());
  if (knownSet.has(name)) return true;
  const canonical = canonicalOf(name);
  if (canonical === null) return false;
  if (canonical.toLowerCase() === name.toLowerCase()) return canonical === name;
  // A link Intl resolves to another zone: accept it when every part is capitalised as in the tz database.
  return name.split("/").every((part) => /^[A-Z]/.test(part));
}

/** Throws the 422 for an unknown zone, with suggestions when some are close. */
export function assertTimezone(name: string): void {
  if (isValidTimezone(name)) return;
  const suggestions = suggestTimezones(name);
  const hint = suggestions.length ? ` (did you mean ${joinOr(suggestions)}?)` : "";
  throw unprocessable(`Invalid timezone: ${name}${hint}`);
}

/** Up to three accepted names close to `input`: same name in other case, same city, or a small typo. */
export function suggestTimezones(input: string): string[] {
  const wanted = input.trim().replace(/\s+/g, "_").toLowerCase();
  if (!wanted) return [];
  const names = knownNames();
  const sameName = names.filter((n) => n.toLowerCase() === wanted);
  if (sameName.length) return sameName.slice(0, 3);
  const canonical = canonicalOf(input.trim());
  if (canonical) return [canonical];
  const city = (name: string) => name.slice(name.lastIndexOf("/") + 1).toLowerCase();
  const wantedCity = wanted.slice(wanted.lastIndexOf("/") + 1);
  const sameCity = names.filter((n) => city(n) === wantedCity);
  if (sameCity.length) return sameCity.slice(0, 3);
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 5)));
  const scored = names
    .map((name) => {
      const full = editDistance(wanted, name.toLowerCase());
      const cityOnly = wanted.includes("/") ? Infinity : editDistance(wanted, city(name));
      return { name, distance: Math.min(full, cityOnly) };
    })
    .filter((s) => s.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, 3).map((s) => s.name);
}

function joinOr(items: string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
