/**
 * local_trusted mode: a request without credentials acts as the board, so a web page must not be able to make
 * one. Refused: a `Host` that is not this server's loopback name (a DNS-rebinding page reaches 127.0.0.1 under
 * its own name: 421), and a state-changing request from another site (`Sec-Fetch-Site`, `Origin`: 403). The
 * dashboard is same-origin and unaffected; clients without a browser (curl, SDKs) send neither header.
 * Routes marked `config: { crossSite: true }` (the public webhook fire, authenticated by its own secret) are
 * exempt.
 */
import type { FastifyInstance } from "fastify";
import { AppError, forbidden } from "../domain/errors";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Callable from any site and under any Host: the route authenticates every request itself. */
    crossSite?: boolean;
  }
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const SAME_ORIGIN_FETCH = new Set(["same-origin", "none"]);

function splitHost(host: string): { name: string; port: string | undefined } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  return m ? { name: m[1]!, port: m[2] || undefined } : { name: host, port: undefined };
}

/** A loopback name on the port the connection arrived on (any port when that is unknown, e.g. in-process requests). */
export function isLocalHost(host: string, localPort: number | undefined): boolean {
  const { name, port } = splitHost(host.toLowerCase());
  if (!LOOPBACK_NAMES.has(name)) return false;
  return localPort === undefined || Number(port ?? 80) === localPort;
}

/** Whether a browser's `Origin` is this very Host (a default port may be left out of either). */
function sameOrigin(origin: string, host: string): boolean {
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    const defaultPort = url.protocol === "http:" ? ":80" : ":443";
    return url.host === (host.endsWith(defaultPort) ? host.slice(0, -defaultPort.length) : host);
  } catch {
    return false; // "null" and other opaque origins
  }
}

export function registerBrowserGuard(app: FastifyInstance, { publicUrl }: { publicUrl: string }): void {
  const publicHost = new URL(publicUrl).host.toLowerCase();
  const publicOrigin = new URL(publicUrl).origin.toLowerCase();
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config?.crossSite) return;
    const host = (request.headers.host ?? "").toLowerCase();
    if (host !== publicHost && !isLocalHost(host, request.socket?.localPort)) {
      throw new AppError(
        421,
        `Host "${request.headers.host ?? ""}" is not this server: in local_trusted mode routined answers only to ` +
          `localhost, 127.0.0.1 and [::1] on its own port, or to the host of ROUTINED_PUBLIC_URL (${publicHost}). ` +
          `Open ${publicUrl}/ instead`,
      );
    }
    if (SAFE_METHODS.has(request.method)) return;
    const site = request.headers["sec-fetch-site"];
    const origin = request.headers.origin?.toLowerCase();
    const crossSite =
      (typeof site === "string" && !SAME_ORIGIN_FETCH.has(site.toLowerCase())) ||
      (origin !== undefined && origin !== publicOrigin && !sameOrigin(origin, host));
    if (crossSite) {
      throw forbidden(
        `Cross-site request refused (Origin ${request.headers.origin ?? "not sent"}, Sec-Fetch-Site ${site ?? "not sent"}): ` +
          "in local_trusted mode only the dashboard's own pages and non-browser clients may change data",
      );
    }
  });
}
