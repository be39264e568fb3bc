/**
 * Where an http agent's deliveries may go. Checked when the agent is saved (its URL's host is resolved) and
 * again on every connection (`checkedLookup` resolves and checks the address it connects to, so a name that
 * later resolves to a loopback or link-local address — DNS rebinding — is refused too).
 */
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import os from "node:os";
import { localAddressRefusal } from "../domain/adapter-policy";

/** The addresses of this machine's network interfaces. */
export function ownAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)$|\.localhost$/i;

const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");

/** Without resolving: a URL whose host is a local address literal or a name for this host (`localhost`). */
export function literalTargetRefusal(url: string): string | undefined {
  const host = hostOf(url);
  if (LOCAL_NAMES.test(host)) return localAddressRefusal("127.0.0.1");
  return localAddressRefusal(host, ownAddresses());
}

/** Why deliveries to `url` are refused, or undefined (a name that does not resolve now is checked at delivery). */
export async function httpTargetRefusal(url: string, allowLocal: boolean): Promise<string | undefined> {
  if (allowLocal) return undefined;
  const literal = literalTargetRefusal(url);
  if (literal) return literal;
  const host = hostOf(url);
  const own = ownAddresses();
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true });
  } catch {
    return undefined;
  }
  for (const a of addresses) {
    const refusal = localAddressRefusal(a.address, own);
    if (refusal) return refusal.replace("adapterConfig.url reaches", `adapterConfig.url (${host}) resolves to`);
  }
  return undefined;
}

/** A `lookup` for sockets that refuses local addresses: the address checked is the address connected to. */
export const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return (callback as (e: Error) => void)(err);
    const own = ownAddresses();
    for (const a of addresses) {
      const refusal = localAddressRefusal(a.address, own);
      if (refusal) return (callback as (e: Error) => void)(new Error(refusal.replace("adapterConfig.url reaches", `${hostname} resolves to`)));
    }
    if (options.all) return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return (callback as (e: Error) => void)(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }));
    (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
  });
};
