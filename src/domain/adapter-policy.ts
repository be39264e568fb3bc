/**
 * What the operator lets agents be run as: the process adapter (off unless enabled, commands from an
 * allowlist, an optional working directory and user) and the http adapter (no loopback, link-local or
 * this server's own addresses unless allowed). Pure: the checks used when an agent is saved and again
 * when it is delivered to.
 */
import net from "node:net";
import path from "node:path";

export interface ProcessPolicy {
  enabled: boolean;
  /** Absolute command paths; an entry ending in "/" allows every command in that directory. */
  allowlist: string[];
  /** Commands run here (the default cwd), and an agent's `cwd` must be inside it. */
  cwd?: string;
  uid?: number;
  gid?: number;
}

export interface AdapterPolicy {
  process: ProcessPolicy;
  http: { allowLocal: boolean };
}

export const PROCESS_DISABLED =
  "The process adapter is disabled on this server: the operator enables it with ROUTINED_PROCESS_ADAPTER=true " +
  "and lists the commands agents may run in ROUTINED_PROCESS_ALLOWLIST";

/** Variables that make an allowed command load or run other code. */
const UNSAFE_ENV = /^(LD_|DYLD_)|^(NODE_OPTIONS|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|RUBYOPT|BASH_ENV|ENV)$/;

const inside = (dir: string, p: string) => p === dir || p.startsWith(dir.endsWith("/") ? dir : `${dir}/`);

/** Why this process adapter config may not run here, or undefined when it may. */
export function processRefusal(
  policy: ProcessPolicy,
  config: { command?: unknown; cwd?: unknown; env?: unknown },
): string | undefined {
  if (!policy.enabled) return PROCESS_DISABLED;
  const file = Array.isArray(config.command) ? config.command[0] : undefined;
  if (typeof file !== "string" || !path.isAbsolute(file)) {
    return "adapterConfig.command[0] must be the absolute path of a command in ROUTINED_PROCESS_ALLOWLIST";
  }
  const resolved = path.resolve(file);
  if (!policy.allowlist.some((entry) => (entry.endsWith("/") ? inside(entry, resolved) : entry === resolved))) {
    return `Command ${resolved} is not in ROUTINED_PROCESS_ALLOWLIST (${policy.allowlist.join(", ")}): the operator decides which commands agents may run`;
  }
  if (policy.cwd && typeof config.cwd === "string") {
    const cwd = path.resolve(policy.cwd, config.cwd);
    if (!inside(policy.cwd, cwd)) return `adapterConfig.cwd must be inside ROUTINED_PROCESS_CWD (${policy.cwd})`;
  }
  if (config.env && typeof config.env === "object") {
    const unsafe = Object.keys(config.env).filter((name) => UNSAFE_ENV.test(name));
    if (unsafe.length) return `adapterConfig.env may not set ${unsafe.join(", ")}: they make a command load other code`;
  }
  return undefined;
}

/** The working directory a process agent's command runs in. */
export function processCwd(policy: ProcessPolicy, cwd: unknown): string | undefined {
  if (policy.cwd) return path.resolve(policy.cwd, typeof cwd === "string" ? cwd : ".");
  return typeof cwd === "string" ? cwd : undefined;
}

const blocked = new net.BlockList();
blocked.addSubnet("0.0.0.0", 8, "ipv4"); // "this network": 0.0.0.0 reaches this host
blocked.addSubnet("127.0.0.0", 8, "ipv4");
blocked.addSubnet("169.254.0.0", 16, "ipv4"); // link-local, incl. cloud metadata 169.254.169.254
blocked.addAddress("::", "ipv6");
blocked.addAddress("::1", "ipv6");
blocked.addSubnet("fe80::", 10, "ipv6");
blocked.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`) as IPv4; others unchanged. */
function unmapped(ip: string): string {
  const lower = ip.toLowerCase().replace(/^\[|\]$/g, "");
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return lower;
}

/**
 * Why an http agent may not be delivered to at this IP address (loopback, link-local, unspecified, or one of
 * this server's own addresses), or undefined. `own` lists the addresses of this machine's interfaces.
 */
export function localAddressRefusal(ip: string, own: Iterable<string> = []): string | undefined {
  const address = unmapped(ip);
  const family = net.isIP(address);
  if (!family) return undefined;
  const ownSet = new Set([...own].map(unmapped));
  if (blocked.check(address, family === 4 ? "ipv4" : "ipv6") || ownSet.has(address)) {
    return (
      `adapterConfig.url reaches ${address}, a loopback, link-local or this server's own address: refused ` +
      "(the operator allows such targets with ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL=true)"
    );
  }
  return undefined;
}
