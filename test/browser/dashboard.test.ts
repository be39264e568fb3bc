/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the real
 * server on PGlite. Chromium missing is a failure, not a skip: CI installs it (`.ci/run`).
 * Set ROUTINED_UI_SCREENSHOT=/tmp/x.png to keep a screenshot of the routine view.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { type RunningServer, startServer } from "../../src/server";

const CHROMIUM = "/usr/bin/chromium";
const BOARD_TOKEN = "dashboard-test-board-token";
let dir: string;
let browser: Promise<Browser> | undefined;

function start(env: Record<string, string> = {}): Promise<RunningServer> {
  return startServer(
    loadConfig({
      PORT: "0",
      ROUTINED_LOG_LEVEL: "silent",
      ROUTINED_SECRET_KEY: "dashboard-secret-key",
      ROUTINED_DATA_DIR: path.join(dir, "data"),
      ROUTINED_SCHEDULER: "false",
      ROUTINED_DISPATCHER: "false",
      ...env,
    }),
  );
}

async function call(server: RunningServer, method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(server.url + url, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Acme Robotics with a skip_if_active routine: one run created an issue, two scheduled runs were skipped. */
async function seed(server: RunningServer) {
  const company = await call(server, "POST", "/api/companies", { name: "Acme Robotics" });
  await call(server, "POST", "/api/companies", { name: "Globex" });
  const agent = await call(server, "POST", `/api/companies/${company.id}/agents`, { name: "CEO" });
  const project = await call(server, "POST", `/api/companies/${company.id}/projects`, { name: "Ops" });
  const routine = await call(server, "POST", `/api/companies/${company.id}/routines`, {
    title: "Weekly CEO briefing",
    assigneeAgentId: agent.id,
    projectId: project.id,
    concurrencyPolicy: "skip_if_active",
  });
  const { trigger } = await call(server, "POST", `/api/routines/${routine.id}/triggers`, {
    kind: "schedule",
    label: "Monday morning",
    cronExpression: "0 9 * * 1",
    timezone: "Europe/Amsterdam",
  });
  await call(server, "POST", `/api/routines/${routine.id}/run`, { payload: { context: "first" } });
  const now = Date.now();
  const backfill = await call(server, "POST", `/api/routines/${routine.id}/backfill`, {
    triggerId: trigger.id,
    from: new Date(now - 14 * 86_400_000).toISOString(),
    to: new Date(now - 60_000).toISOString(),
  });
  expect(backfill.runs.map((r: { status: string }) => r.status)).toEqual(["skipped", "skipped"]);
  return { routineId: routine.id as string, trigger: trigger as { nextRunAt: string } };
}

async function openPage(server: RunningServer): Promise<{ page: Page; problems: string[] }> {
  const context = await (await launchBrowser()).newContext({ locale: "en-US", timezoneId: "Europe/Amsterdam" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  await page.goto(server.url + "/");
  return { page, problems };
}

/** Launched by the first test that needs it; every test fails (none skips) when Chromium is missing. */
function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    return Promise.reject(new Error(`${CHROMIUM} is missing: install it with \`apt-get update && apt-get install -y chromium\` (as root)`));
  }
  browser ??= chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  return browser;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-browser-"));
});
afterAll(async () => {
  await (await browser?.catch(() => undefined))?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the dashboard", () => {
  it("shows a routine's trigger, next run, runs with their reasons, and fires it with Run now", async () => {
    await launchBrowser();
    const server = await start();
    try {
      const { routineId, trigger } = await seed(server);
      // a webhook trigger whose sender signs with the wrong secret: the dashboard says why it did not fire
      const hook = await call(server, "POST", `/api/routines/${routineId}/triggers`, { kind: "webhook", label: "GitHub push", signingMode: "github_hmac" });
      const forged = await fetch(`${server.url}/api/routine-triggers/public/${hook.trigger.publicId}/fire`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
        body: "{}",
      });
      expect(forged.status).toBe(401);
      const page = await openPage(server);
      const { problems } = page;
      const p = page.page;

      await p.getByLabel("Company").selectOption({ label: "Acme Robotics" });
      await p.getByRole("button", { name: "Weekly CEO briefing" }).click();

      const detail = p.getByRole("region", { name: "Weekly CEO briefing" });
      const card = detail.getByRole("article", { name: "Trigger Monday morning" });
      await expect(card.getByText("0 9 * * 1").textContent()).resolves.toBe("0 9 * * 1");
      expect(await card.textContent()).toContain("in Europe/Amsterdam");
      // next run: local time plus "in N days", on the trigger's nextRunAt
      const next = card.locator(`dt:has-text("Next run") + dd time[datetime="${trigger.nextRunAt}"]`);
      expect(await next.textContent()).toMatch(/^Mon, .* 09:00:00 AM \(in \d+ (days?|hours?|min)( \d+ (hours?|min|s))?\)$/);
      await card.locator(".preview li").nth(4).waitFor();
      expect(await card.locator(".preview li").count()).toBe(5);

      const hookCard = detail.getByRole("article", { name: "Trigger GitHub push" });
      expect(await hookCard.locator('dt:has-text("Last refused") + dd').textContent()).toContain("401 Unauthorized (signature_mismatch)");

      const rows = detail.getByRole("table", { name: "Run history" }).locator("tbody tr");
      await rows.nth(2).waitFor();
      const texts = await rows.allTextContents();
      expect(texts).toHaveLength(3);
      expect(texts[2]).toMatch(/manual.*issue created.*AR-1/);
      for (const skipped of texts.slice(0, 2)) {
        expect(skipped).toMatch(/schedule \(Monday morning\).*skipped/);
        expect(skipped).toMatch(/late/);
        expect(skipped).toContain("Skipped: execution issue AR-1 is still open");
      }

      await detail.getByRole("button", { name: "Run now" }).click();
      await rows.nth(3).waitFor();
      expect(await rows.first().textContent()).toMatch(/manual.*skipped.*AR-1 is still open/);
      await p.getByRole("status").getByText("Fired now: run skipped").waitFor();

      // a page holds 20 runs; "Load more runs" fetches the older ones
      for (let i = 0; i < 17; i++) await call(server, "POST", `/api/routines/${routineId}/run`, {});
      await p.getByRole("button", { name: "Refresh" }).click();
      await rows.nth(19).waitFor();
      const more = detail.getByRole("button", { name: "Load more runs" });
      await more.click();
      await rows.nth(20).waitFor();
      expect(await rows.count()).toBe(21);
      expect(await rows.last().textContent()).toMatch(/manual.*issue created/);
      expect(await more.isVisible()).toBe(false);

      if (process.env.ROUTINED_UI_SCREENSHOT) await p.screenshot({ path: process.env.ROUTINED_UI_SCREENSHOT, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it("is served publicly under a same-origin CSP, and asks for a board token in authenticated mode", async () => {
    await launchBrowser();
    const server = await start({ ROUTINED_DEPLOYMENT_MODE: "authenticated", ROUTINED_BOARD_TOKEN: BOARD_TOKEN });
    try {
      const index = await fetch(server.url + "/");
      expect(index.status).toBe(200);
      expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(index.headers.get("content-security-policy")).toMatch(/^default-src 'self';/);
      expect((await fetch(server.url + "/ui/app.js")).headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect((await fetch(server.url + "/ui/missing.js")).status).toBe(404);
      await call(server, "POST", "/api/companies", { name: "Initech" }, BOARD_TOKEN);

      const { page: p } = await openPage(server);
      const token = p.getByLabel("Board token");
      await token.fill("not-the-board-token");
      await p.getByRole("button", { name: "Sign in" }).click();
      await p.getByRole("status").getByText("The board token was refused").waitFor();
      await token.fill(BOARD_TOKEN);
      await p.getByRole("button", { name: "Sign in" }).click();
      await p.getByRole("option", { name: "Initech" }).waitFor({ state: "attached" });
      expect(await p.getByLabel("Board token").isVisible()).toBe(false);
    } finally {
      await server.stop();
    }
  });
});
