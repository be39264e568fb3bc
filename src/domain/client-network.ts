/**
 * The network a client address is counted under by per-IP rate limits. An IPv4 address is itself (also when
 * written as IPv4-mapped IPv6, `::ffff:203.0.113.7`, as a dual-stack socket reports it). An IPv6 address is its
 * /64: one subscriber or host usually holds a whole /64, so limiting single IPv6 addresses would let a client
 * walk through 2^64 of them.
 */
import net from "node:net";

export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros ("2001:db8::1" → 2001,db8,0,0,0,0,0,1). */
function expandIPv6(ip: string): string[] {
  const address = ip.replace(/%.*$/, ""); // a zone index (fe80::1%eth0) is not part of the address
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const toHex = (group: string) => (group.includes(".") ? ipv4Groups(group) : [group]);
  const left = groups(head).flatMap(toHex);
  const right = groups(tail).flatMap(toHex);
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}

/** An embedded IPv4 tail ("::ffff:1.2.3.4", "64:ff9b::1.2.3.4") as two hex groups. */
function ipv4Groups(v4: string): string[] {
  const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
