/**
 * The dashboard: static files from `src/ui/`, read once at start. The files are public; the page
 * itself calls the authenticated API (with a board token in authenticated mode).
 */
import fs from "node:fs";
import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../domain/errors";
import type { Services } from "../../services";

const UI_DIR = new URL("../../ui/", import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** Same-origin only: no inline script or style, no framing, no plugins. */
const CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const name of fs.readdirSync(UI_DIR)) {
    const type = CONTENT_TYPES[name.split(".").pop() ?? ""];
    if (type) assets.set(name, { body: fs.readFileSync(new URL(name, UI_DIR)), type });
  }
  return assets;
}

function send(reply: FastifyReply, asset: { body: Buffer; type: string }) {
  return reply
    .header("content-type", asset.type)
    .header("content-security-policy", CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("cache-control", "no-cache")
    .send(asset.body);
}

export const uiRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app) => {
  const assets = loadAssets();
  const index = assets.get("index.html");
  if (!index) throw new Error(`The dashboard's index.html is missing from ${UI_DIR.pathname}`);
  const config = { public: true };
  const schema = { hide: true };

  app.get("/", { config, schema }, async (_req, reply) => send(reply, index));
  app.get(
    "/ui/:file",
    { config, schema: { ...schema, params: z.object({ file: z.string() }) } },
    async (req, reply) => {
      const asset = req.params.file === "index.html" ? undefined : assets.get(req.params.file);
      if (!asset) throw notFound(`No dashboard file ${req.params.file}: the dashboard is at /`);
      return send(reply, asset);
    },
  );
};
