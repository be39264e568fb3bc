/**
 * The dashboard: the files Vite built into `dist/ui/` (`npm run build:ui`, run by `npm install`),
 * read once at start. The files are public; the page itself calls the authenticated API (with a
 * board token in authenticated mode). The page's own routes (`/`, `/c/...`) all answer index.html,
 * so a pasted or reloaded deep link opens the same view.
 */
import fs from "node:fs";
import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../domain/errors";
import type { Services } from "../../services";
import { sourceFile } from "../../source-root";

// Built by `npm run build:ui` into dist/ui (the same folder whether the sources or the built server run).
const UI_DIR = sourceFile("../dist/ui/");

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** Same-origin only: no inline script or style, no framing, no plugins. */
const CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

interface Asset {
  body: Buffer | string;
  type: string;
  /** Content-hashed file names never change: cache them for good. */
  immutable: boolean;
}

const NOT_BUILT: Asset = {
  body: "The dashboard is not built: run `npm run build` (npm install does it) and restart routined.\n",
  type: "text/plain; charset=utf-8",
  immutable: false,
};

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!fs.existsSync(UI_DIR)) return assets;
  for (const name of fs.readdirSync(UI_DIR)) {
    const type = CONTENT_TYPES[name.split(".").pop() ?? ""];
    const immutable = /-[A-Za-z0-9_-]{8}\.(js|css)$/.test(name);
    if (type) assets.set(name, { body: fs.readFileSync(new URL(name, UI_DIR)), type, immutable });
  }
  return assets;
}

function send(reply: FastifyReply, asset: Asset) {
  return reply
    .header("content-type", asset.type)
    .header("content-security-policy", CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("cache-control", asset.immutable ? "public, max-age=31536000, immutable" : "no-cache")
    .send(asset.body);
}

export const uiRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app) => {
  const assets = loadAssets();
  const index = assets.get("index.html");
  if (!index) app.log.warn(`The dashboard is not built (no ${UI_DIR.pathname}index.html): run \`npm run build\``);
  const page = (_req: unknown, reply: FastifyReply) => (index ? send(reply, index) : send(reply.status(503), NOT_BUILT));
  const config = { public: true };
  const schema = { hide: true };

  app.get("/", { config, schema }, page);
  app.get("/c/*", { config, schema }, page);
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
