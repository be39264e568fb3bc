/**
 * The Chromium the browser tests drive: Debian's /usr/bin/chromium when it is installed, else the
 * one inside the @sparticuz/chromium devDependency (unpacked to the temp dir on first use: nothing
 * is downloaded). ROUTINED_TEST_CHROMIUM=bundled forces the packaged one, =system the Debian one.
 *
 * The packaged browser is started with a reduced flag set: none of @sparticuz/chromium's own
 * serverless flags that would weaken what the tests check (--disable-web-security,
 * --disable-site-isolation-trials, --allow-running-insecure-content), so same-origin rules and
 * the page's CSP apply as in a desktop browser.
 */
import fs from "node:fs";
import { type Browser, chromium } from "playwright-core";

const SYSTEM = "/usr/bin/chromium";
const COMMON = ["--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu"];

export type ChromiumKind = "system" | "bundled";

export function chosenChromium(): ChromiumKind {
  const forced = process.env.ROUTINED_TEST_CHROMIUM;
  if (forced === "system" || forced === "bundled") return forced;
  if (forced) throw new Error(`ROUTINED_TEST_CHROMIUM must be system or bundled, not ${forced}`);
  return fs.existsSync(SYSTEM) ? "system" : "bundled";
}

export async function launchChromium(kind = chosenChromium()): Promise<Browser> {
  if (kind === "system") {
    if (!fs.existsSync(SYSTEM)) throw new Error(`${SYSTEM} is missing (ROUTINED_TEST_CHROMIUM=system): apt-get install chromium`);
    return chromium.launch({ executablePath: SYSTEM, args: ["--headless", "--no-sandbox", "--disable-quic", ...COMMON] });
  }
  const { default: packaged } = await import("@sparticuz/chromium");
  const executablePath = await packaged.executablePath();
  // --no-sandbox: tests run as root; --no-zygote: its build has no setuid helper; SwiftShader for WebGL-free rendering
  return chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--no-zygote", "--use-gl=angle", "--use-angle=swiftshader", "--font-render-hinting=none", ...COMMON],
  });
}
