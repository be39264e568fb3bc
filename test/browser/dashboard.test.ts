/**
 * The dashboard in a real Chromium (see chromium.ts: Debian's, or the one packaged in
 * @sparticuz/chromium) against the real server on PGlite, driven by playwright-core the way a
 * person uses it. Every page is photographed into test-results/dashboard/, and any console error
 * fails the test.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { type RunningServer, startServer } from "../../src/server";
import { recipe } from "../../src/ui/recipes";
import { chosenChromium, launchChromium } from "./chromium";

const SHOTS = path.resolve("test-results/dashboard");
const BOARD_TOKEN = "dashboard-test-board-token";
const run = promisify(execFile);

let dir: string;
let browser: Browser;
let server: RunningServer;
/** The same server in authenticated mode. */
let authServer: RunningServer;
let port: number;
let agentServer: http.Server;
let agentHealthy = false;
const contexts: { context: BrowserContext; problems: string[] }[] = [];

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return p;
}

function start(env: Record<string, string> = {}, dataDir = "data"): Promise<RunningServer> {
  return startServer(
    loadConfig({
      PORT: String(port),
      ROUTINED_LOG_LEVEL: "silent",
      ROUTINED_SECRET_KEY: "dashboard-secret-key",
      ROUTINED_DATA_DIR: path.join(dir, dataDir),
      ROUTINED_SCHEDULER: "false",
      // the dispatcher delivers to http agents: one attempt, so a failed delivery is final at once
      ROUTINED_DISPATCHER: "true",
      ROUTINED_DISPATCH_MAX_ATTEMPTS: "1",
      // the http agent of the failed-delivery test listens on this machine
      ROUTINED_HTTP_ADAPTER_ALLOW_LOCAL: "true",
      ...env,
    }),
  );
}

async function call(method: string, url: string, body?: unknown, token?: string, on = server) {
  const res = await fetch(on.url + url, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.status === 204 ? undefined : ((await res.json()) as any);
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A page in a fresh context; its console errors and page errors are collected (and fail the test). */
async function openPage(options: BrowserContextOptions = {}, on = server): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: "en-US", timezoneId: "Europe/Amsterdam", ...options });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: on.url });
  const problems: string[] = [];
  contexts.push({ context, problems });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  return { page, problems };
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** What the page's copy button put on the clipboard. */
const readClipboard = (page: Page) => page.evaluate<string>("navigator.clipboard.readText()");

/** The page does not scroll sideways. */
async function fitsWidth(page: Page) {
  const { scroll, width } = await page.evaluate<{ scroll: number; width: number }>("({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })");
  expect(scroll, "page scrolls sideways").toBeLessThanOrEqual(width);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "routined-browser-"));
  fs.mkdirSync(SHOTS, { recursive: true });
  port = await freePort();
  // an http agent's endpoint: 500 until the test makes it healthy
  agentServer = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(agentHealthy ? 200 : 500, { "content-type": "application/json" });
      res.end(agentHealthy ? '{"ok":true}' : '{"error":"agent is down"}');
    });
  });
  await new Promise<void>((resolve) => agentServer.listen(0, "127.0.0.1", resolve));
  // Chromium starts beside the servers; the servers one after the other (a starved start times out in fastify)
  const launched = launchChromium();
  try {
    server = await start();
    authServer = await start(
      { PORT: String(await freePort()), ROUTINED_DISPATCHER: "false", ROUTINED_DEPLOYMENT_MODE: "authenticated", ROUTINED_BOARD_TOKEN: BOARD_TOKEN },
      "auth-data",
    );
  } finally {
    browser = await launched;
  }
});

afterEach(async () => {
  const open = contexts.splice(0);
  await Promise.all(open.map((c) => c.context.close()));
  for (const c of open) expect(c.problems, "console errors").toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await authServer?.stop();
  await new Promise((resolve) => agentServer?.close(resolve));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe(`the dashboard (${chosenChromium()} Chromium)`, () => {
  const ids: { company?: string; routine?: string } = {};

  it("runs the whole loop: company, agent, routine, schedule, webhook, run now, coalesce, done, pause, resume, archive", async () => {
    const { page } = await openPage();
    await page.goto(server.url + "/");

    // an empty server says how to start
    await page.getByText("There is no company yet").waitFor();
    await shot(page, "01-welcome");
    await page.getByRole("link", { name: "Create a company" }).click();
    await page.getByLabel("Name").fill("Acme Robotics");
    await page.getByRole("button", { name: "Create company" }).click();
    await page.getByText("No routines yet").waitFor();
    ids.company = page.url().split("/c/")[1];
    await shot(page, "02-routines-empty");

    // an agent, with an API key shown once
    const sections = page.getByRole("navigation", { name: "Sections" });
    await sections.getByRole("link", { name: "Agents" }).click();
    await page.getByText("No agents yet").waitFor();
    await page.getByRole("button", { name: "New agent" }).click();
    await page.getByLabel("Name").fill("CEO");
    await page.getByLabel("Role").fill("ceo");
    await page.getByRole("button", { name: "Create agent" }).click();
    await page.getByRole("heading", { name: "CEO active" }).waitFor();
    await page.getByLabel("Key name (optional)").fill("laptop");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByRole("group", { name: "New API key" }).locator("code").last().textContent())!;
    expect((await call("GET", "/api/agents/me", undefined, key)).name).toBe("CEO");
    const keyRow = page.getByRole("table", { name: "API keys" }).locator("tbody tr", { hasText: "laptop" });
    await keyRow.waitFor();
    await shot(page, "03-agent");
    // a second key, revoked after a confirmation: it is refused from then on
    await page.getByRole("button", { name: "Create key" }).click();
    // the group still shows the first key until the server answers: wait for the new one
    const shownKey = page.getByRole("group", { name: "New API key" }).locator("code").last();
    await expect.poll(() => shownKey.textContent()).not.toBe(key);
    const spare = (await shownKey.textContent())!;
    const spareRow = page.getByRole("table", { name: "API keys" }).locator("tbody tr", { hasText: "unnamed" });
    await spareRow.getByRole("button", { name: "Revoke" }).click();
    await spareRow.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await spareRow.getByText("revoked").waitFor();
    expect((await fetch(`${server.url}/api/agents/me`, { headers: { authorization: `Bearer ${spare}` } })).status).toBe(401);
    // pause and resume the agent
    await page.getByRole("button", { name: "Pause agent" }).click();
    await page.getByRole("dialog", { name: "Pause CEO?" }).getByRole("button", { name: "Pause agent" }).click();
    await page.getByRole("heading", { name: "CEO paused" }).waitFor();
    await page.getByRole("button", { name: "Resume agent" }).click();
    await page.getByRole("heading", { name: "CEO active" }).waitFor();

    // a project, then the routine
    await sections.getByRole("link", { name: "Projects" }).click();
    await page.getByRole("textbox", { name: "New project" }).fill("Ops");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByRole("listitem").getByText("Ops").waitFor();
    await sections.getByRole("link", { name: "Routines" }).click();
    await page.getByRole("link", { name: "New routine" }).click();
    await page.getByLabel("Title").fill("Weekly CEO briefing");
    await page.getByLabel("Description").fill("Summarise the week for the board.");
    await expect.poll(() => page.getByLabel("Assignee").inputValue()).not.toBe("");
    await expect.poll(() => page.getByLabel("Project").inputValue()).not.toBe("");
    await shot(page, "04-routine-form");
    await page.getByRole("button", { name: "Create routine" }).click();
    const head = page.getByRole("heading", { name: "Weekly CEO briefing" });
    await head.waitFor();
    ids.routine = page.url().split("/routines/")[1];
    await page.getByText("No triggers: this routine runs only when you press Run now").waitFor();

    // a schedule trigger: live validation, then the description and next 10 occurrences
    await page.getByRole("button", { name: "Add trigger" }).click();
    const form = page.getByRole("form", { name: "New trigger" });
    await form.getByLabel("Label").fill("Monday morning");
    await form.getByLabel("Cron expression").fill("61 9 * * 1");
    await form.getByRole("alert").waitFor();
    expect(await form.getByRole("button", { name: "Add schedule trigger" }).isDisabled()).toBe(true);
    await form.getByLabel("Cron expression").fill("0 9 * * 1");
    await form.getByLabel("Time zone").fill("Europe/Amsterdam");
    await form.locator(".preview li").nth(9).waitFor();
    expect(await form.locator(".preview").textContent()).toMatch(/Next 10 in Europe\/Amsterdam — .*Monday/);
    await form.getByRole("button", { name: "Add schedule trigger" }).click();
    const schedule = page.getByRole("article", { name: "Trigger Monday morning" });
    await schedule.locator(".preview li").nth(9).waitFor();
    expect(await schedule.locator(".preview li").count()).toBe(10);
    expect(await schedule.locator('dt:has-text("Next run") + dd time').textContent()).toMatch(/^Mon, .* 09:00:00 (AM )?GMT\+\d \(in \d+ (days?|hours?|min)/);

    // edit it: the preview follows
    await schedule.getByRole("button", { name: "Edit" }).click();
    const edit = schedule.getByRole("form", { name: "Edit trigger" });
    await edit.getByLabel("Cron expression").fill("0 9 * * 1-5");
    await edit.locator(".preview").getByText("Monday through Friday").waitFor();
    await edit.getByRole("button", { name: "Save trigger" }).click();
    await schedule.getByText("0 9 * * 1-5").waitFor();
    await schedule.locator(".preview li").nth(9).waitFor();

    // a webhook trigger: copy the secret shown once, fire it with the Node recipe the page shows
    await page.getByRole("button", { name: "Add trigger" }).click();
    await form.getByLabel("Kind").selectOption("webhook");
    await form.getByLabel("Label").fill("Deploys");
    await form.getByLabel("Signing mode").selectOption("hmac_sha256");
    await form.getByRole("button", { name: "Add webhook trigger" }).click();
    const hook = page.getByRole("article", { name: "Trigger Deploys" });
    const secretBox = hook.getByRole("group", { name: "Webhook secret" });
    await secretBox.getByRole("button", { name: "Copy webhook secret" }).click();
    await secretBox.getByText("Copied").waitFor();
    const secret = await readClipboard(page);
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    await hook.getByRole("button", { name: "Copy webhook URL" }).click();
    const url = await readClipboard(page);
    expect(url).toBe(`${server.url}/api/routine-triggers/public/${(await call("GET", `/api/routines/${ids.routine}`)).triggers[1].publicId}/fire`);
    await hook.getByText("How to call it (hmac_sha256)").click();
    await shot(page, "05-routine-triggers");
    const recipe = (await hook.getByRole("figure", { name: "Node recipe" }).locator("pre").textContent())!;
    const script = path.join(dir, "fire.mjs");
    fs.writeFileSync(script, recipe);
    const fired = await run(process.execPath, [script], { env: { ...process.env, URL: url, SECRET: secret } });
    expect(fired.stdout).toMatch(/^202 \{/);

    const rows = page.getByRole("table", { name: "Run history" }).locator("tbody > tr:not(.run-detail)");
    await expect.poll(() => rows.first().textContent(), { timeout: 15_000 }).toMatch(/webhook \(Deploys\).*issue created.*AR-1/);

    // rotate, after a confirmation: a new secret, shown once; the old one is refused (and the card says why)
    await hook.getByRole("button", { name: "Rotate secret" }).click();
    await hook.getByRole("dialog", { name: "Rotate the webhook secret?" }).getByRole("button", { name: "Rotate now" }).click();
    await page.getByRole("status").getByText("Secret rotated").waitFor();
    const rotated = (await secretBox.locator("code").textContent())!;
    expect(rotated).toMatch(/^[0-9a-f]{48}$/);
    expect(rotated).not.toBe(secret);
    const refused = await run(process.execPath, [script], { env: { ...process.env, URL: url, SECRET: secret } });
    expect(refused.stdout).toMatch(/^401 /);
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => hook.locator('dt:has-text("Last refused") + dd').textContent()).toMatch(/^401 Unauthorized \(secret_rotated\) · .*\((now|\d+ s ago)\)$/);
    await shot(page, "05b-webhook-refused");

    // run now with a payload: the open issue coalesces it
    await page.getByLabel("Payload (JSON object, optional)").fill("{not json");
    await page.getByText("Payload not valid JSON").waitFor();
    await page.getByLabel("Payload (JSON object, optional)").fill('{"context":"quarterly"}');
    await page.getByLabel("Idempotency key (optional)").fill("briefing-q4");
    await page.getByRole("button", { name: "Run now" }).click();
    await page.getByRole("status").getByText("Fired now: run coalesced").waitFor();
    await expect.poll(() => rows.first().textContent()).toMatch(/manual.*coalesced.*AR-1.*Coalesced into AR-1, which was still open/);
    await rows.first().getByRole("button", { name: "Details" }).click();
    const detail = page.locator("tr.run-detail");
    expect(await detail.textContent()).toContain("briefing-q4");
    expect(await detail.locator("pre").textContent()).toContain('"context": "quarterly"');
    expect(await detail.textContent()).toMatch(/Coalesced intorun [0-9a-f]{8}/);
    await shot(page, "06-routine-runs");

    // mark the execution issue done: its run completes
    await page.getByLabel("Status of AR-1").selectOption("done");
    await page.getByRole("status").getByText("AR-1 is done").waitFor();
    await expect.poll(() => rows.nth(1).textContent()).toMatch(/webhook \(Deploys\).*completed/);
    await page.getByText("none open").waitFor();

    // pause: nothing shows a next run; resume: it is back
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("dialog", { name: "Pause Weekly CEO briefing?" }).getByRole("button", { name: "Pause routine" }).click();
    await head.getByText("paused").waitFor();
    await page.getByText("No next run (paused)").waitFor();
    expect(await schedule.textContent()).toContain("None (routine paused): it does not fire");
    expect(await schedule.locator("time").count()).toBe(0);
    await shot(page, "07-routine-paused");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByRole("dialog", { name: "Resume Weekly CEO briefing?" }).getByRole("button", { name: "Resume routine" }).click();
    await head.getByText("active").waitFor();
    await schedule.locator('dt:has-text("Next run") + dd time').waitFor();

    // a disabled trigger does not fire either
    await schedule.getByRole("button", { name: "Disable" }).click();
    await schedule.getByText("None (trigger disabled): it does not fire").waitFor();
    await page.getByText("No next run (schedule disabled)").waitFor();
    await schedule.getByRole("button", { name: "Enable" }).click();
    await schedule.locator('dt:has-text("Next run") + dd time').waitFor();

    // the list: badges, next run, last run; filters and search live in the URL
    await sections.getByRole("link", { name: "Routines" }).click();
    const list = page.getByRole("table", { name: "Routines" });
    const row = list.locator("tbody tr").first();
    await expect.poll(() => row.textContent()).toMatch(/Weekly CEO briefing.*active.*CEO.*Ops.*schedule: Monday morning.*webhook: Deploys.*\(in .*coalesced/);
    await shot(page, "08-routines");
    await page.getByLabel("Status", { exact: true }).selectOption("paused");
    await page.getByText("No routine matches these filters").waitFor();
    expect(page.url()).toContain("status=paused");
    await page.goBack();
    await row.waitFor();
    await page.getByLabel("Search").fill("nothing like it");
    await page.getByText("No routine matches these filters").waitFor();
    await page.getByLabel("Search").fill("briefing");
    await row.waitFor();

    // the issues: the loop closed by hand
    await sections.getByRole("link", { name: "Issues" }).click();
    await page.getByLabel("Status of AR-1").waitFor();
    expect(await page.getByLabel("Status of AR-1").inputValue()).toBe("done");
    await shot(page, "09-issues");

    // archive, which says it is final
    await page.goto(`${server.url}/c/${ids.company}/routines/${ids.routine}`);
    await page.getByRole("button", { name: "Archive" }).click();
    const archive = page.getByRole("dialog", { name: "Archive Weekly CEO briefing?" });
    expect(await archive.textContent()).toContain("This is final.");
    await archive.getByRole("button", { name: "Archive for good" }).click();
    await page.getByText("Archived: this routine never fires again").waitFor();
    expect(await page.getByRole("button", { name: "Run now" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Resume" }).count()).toBe(0);
    await page.getByText("No next run (archived)").waitFor();
    expect(await page.getByRole("button", { name: "Rotate secret" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Add trigger" }).count()).toBe(0);
    await shot(page, "10-routine-archived");
  });

  it("shows a failed delivery with its attempt and retries it", async () => {
    const company = await call("POST", "/api/companies", { name: "Globex" });
    const agent = await call("POST", `/api/companies/${company.id}/agents`, {
      name: "Deployer",
      adapterType: "http",
      adapterConfig: { url: `http://127.0.0.1:${(agentServer.address() as net.AddressInfo).port}/wake` },
    });
    const project = await call("POST", `/api/companies/${company.id}/projects`, { name: "Infra" });
    const routine = await call("POST", `/api/companies/${company.id}/routines`, {
      title: "Nightly deploy",
      assigneeAgentId: agent.id,
      projectId: project.id,
    });
    const { page } = await openPage();
    await page.goto(`${server.url}/c/${company.id}/routines/${routine.id}`);
    await page.getByRole("button", { name: "Run now" }).click();
    const rows = page.getByRole("table", { name: "Run history" }).locator("tbody > tr:not(.run-detail)");
    await expect.poll(() => rows.first().textContent(), { timeout: 20_000 }).toMatch(/manual.*failed.*The agent answered HTTP 500/);
    await rows.first().getByRole("button", { name: "Details" }).click();
    const attempts = page.getByRole("table", { name: "Delivery attempts" });
    await attempts.locator("tbody tr").first().waitFor();
    expect(await attempts.locator("tbody tr").first().textContent()).toMatch(/http.*failed.*1 of 1.*The agent answered HTTP 500/);
    expect(await attempts.locator("tbody tr").first().locator('td[data-label="Code"]').textContent()).toBe("HTTP 500");
    await shot(page, "11-failed-delivery");

    agentHealthy = true;
    await page.getByRole("button", { name: "Retry delivery" }).click();
    await page.getByRole("status").getByText("Delivery queued again").waitFor();
    await expect.poll(() => attempts.locator("tbody tr").first().textContent(), { timeout: 20_000 }).toMatch(/http.*succeeded.*1 of 1/);
    expect(await attempts.locator("tbody tr").nth(1).textContent()).toMatch(/http.*failed.*1 of 1.*HTTP 500.*The agent answered HTTP 500/);
    expect(await attempts.locator("tbody tr").first().locator('td[data-label="Code"]').textContent()).toBe("HTTP 200");
    await expect.poll(() => rows.first().textContent()).toMatch(/manual.*issue created/);
    await shot(page, "12-retried-delivery");
  });

  it("defines a variable in the routine form, shows the server's error in place, and runs now with a value in the title", async () => {
    const company = await call("POST", "/api/companies", { name: "Initech" });
    await call("POST", `/api/companies/${company.id}/agents`, { name: "Releaser" });
    await call("POST", `/api/companies/${company.id}/projects`, { name: "Releases" });
    const { page, problems } = await openPage();
    await page.goto(`${server.url}/c/${company.id}/routines/new`);
    await page.getByLabel("Title").fill("Deploy {{service}}");
    await expect.poll(() => page.getByLabel("Assignee").inputValue()).not.toBe("");
    await expect.poll(() => page.getByLabel("Project").inputValue()).not.toBe("");
    await page.getByRole("button", { name: "Define {{service}}" }).click();
    const variable = page.getByRole("group", { name: "Variable 1" });
    expect(await variable.getByLabel("Name").inputValue()).toBe("service");
    await variable.getByLabel("Label").fill("Service");
    await variable.getByLabel("Type").selectOption("select");
    await page.getByRole("button", { name: "Create routine" }).click();
    // the server refuses a select without options: said at the options field
    await variable.locator(".field-error").getByText("Select variables require at least one option").waitFor();
    // Chromium logs the refused request itself: that one, and nothing else, is expected
    expect(problems).toEqual(["Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
    problems.length = 0;
    await variable.getByLabel("Options").fill("api, web");
    await variable.getByLabel("Default").selectOption("api");
    await shot(page, "12b-routine-variables");
    await page.getByRole("button", { name: "Create routine" }).click();
    await page.waitForURL(/\/routines\/[0-9a-f-]{36}$/);

    const input = page.getByLabel("Service (required)");
    expect(await input.inputValue()).toBe("api");
    await input.selectOption("web");
    await page.getByRole("button", { name: "Run now" }).click();
    await page.getByRole("status").getByText("Fired now: run issue created").waitFor();
    const rows = page.getByRole("table", { name: "Run history" }).locator("tbody > tr:not(.run-detail)");
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().getByRole("button", { name: "Details" }).click();
    await page.locator(".run-detail").getByText(/-1 Deploy web$/).waitFor();
    await shot(page, "12c-run-now-variables");
    await page.setViewportSize({ width: 390, height: 844 });
    await fitsWidth(page);
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByRole("group", { name: "Variable 1" }).waitFor();
    expect(await page.getByRole("group", { name: "Variable 1" }).getByLabel("Options").inputValue()).toBe("api, web");
    await fitsWidth(page);
  });

  it("comments on a selected passage of the description, answers, resolves and reopens it, and says when the passage is gone", async () => {
    const company = await call("POST", "/api/companies", { name: "Umbrella" });
    const agent = await call("POST", `/api/companies/${company.id}/agents`, { name: "Analyst" });
    const agentKey = (await call("POST", `/api/agents/${agent.id}/keys`, {})).key;
    const project = await call("POST", `/api/companies/${company.id}/projects`, { name: "Board" });
    const routine = await call("POST", `/api/companies/${company.id}/routines`, {
      title: "Board briefing",
      description: "# Weekly briefing\n\nSummarise **revenue** and the open incidents.\n\nPost it in #board by noon.",
      assigneeAgentId: agent.id,
      projectId: project.id,
    });
    const annotations = `/api/routines/${routine.id}/description/annotations`;
    const { page, problems } = await openPage();
    await page.goto(`${server.url}/c/${company.id}/routines/${routine.id}`);
    const commentOn = page.getByRole("button", { name: "Comment on selection" });
    await page.getByText("No open comments").waitFor();
    expect(await commentOn.isDisabled()).toBe(true);
    /** Selects, in the description as shown, from the start of `from` to the end of `to`. */
    const select = (from: string, to: string) =>
      page.evaluate(`(() => {
        const text = document.getElementById("routine-description").firstChild;
        const range = document.createRange();
        range.setStart(text, text.data.indexOf(${JSON.stringify(from)}));
        range.setEnd(text, text.data.indexOf(${JSON.stringify(to)}) + ${to.length});
        getSelection().removeAllRanges();
        getSelection().addRange(range);
      })()`);

    // select a passage that crosses markdown syntax, comment on it
    await select("revenue", "incidents");
    await expect.poll(() => commentOn.isEnabled()).toBe(true);
    await commentOn.click();
    const draft = page.getByRole("form", { name: "New comment on the description" });
    expect(await draft.locator("blockquote").textContent()).toBe("revenue and the open incidents");
    await draft.getByRole("textbox", { name: "Comment" }).fill("Booked or billed revenue?");
    await draft.getByRole("button", { name: "Comment", exact: true }).click();
    await page.getByRole("status").getByText("Commented on “revenue and the open incidents”").waitFor();
    const thread = page.getByRole("article", { name: "Comments on “revenue and the open incidents”" });
    const comments = thread.getByRole("list", { name: "Comments" }).getByRole("listitem");
    await expect.poll(() => comments.first().textContent()).toMatch(/^board .*\(now|\d+ s ago\)\)Booked or billed revenue\?$/);
    await draft.waitFor({ state: "detached" });

    // the agent answers over the API, then the board replies here: both, with their authors
    const [created] = await call("GET", annotations);
    await call("POST", `${annotations}/${created.id}/comments`, { body: "Billed, as in the ledger." }, agentKey);
    await thread.getByRole("textbox", { name: "Reply" }).fill("Thanks: billed it is.");
    await thread.getByRole("button", { name: "Reply", exact: true }).click();
    await expect.poll(() => comments.count()).toBe(3);
    // the agent's name comes with the company's agents, fetched once a thread has an agent's comment: wait for it
    await expect.poll(() => comments.nth(1).textContent()).toMatch(/^Analyst .*Billed, as in the ledger\.$/);
    expect(await comments.nth(2).textContent()).toMatch(/^board .*Thanks: billed it is\.$/);
    await expect.poll(() => thread.getByRole("textbox", { name: "Reply" }).inputValue()).toBe("");
    await shot(page, "12d-description-comments");

    // resolve: it leaves the open list; shown among the resolved ones (in the URL), reopened from there
    await thread.getByRole("button", { name: "Resolve" }).click();
    await page.getByRole("status").getByText("Resolved the comments on “revenue and the open incidents”").waitFor();
    await thread.waitFor({ state: "detached" });
    await page.getByText("No open comments").waitFor();
    const show = page.getByLabel("Show", { exact: true });
    await show.selectOption("resolved");
    await thread.getByRole("button", { name: "Reopen" }).waitFor();
    expect(page.url()).toContain("comments=resolved");
    await thread.getByRole("button", { name: "Reopen" }).click();
    await page.getByRole("status").getByText("Reopened the comments on “revenue and the open incidents”").waitFor();
    await page.getByText("No resolved comments").waitFor();
    await show.selectOption("open");
    await thread.getByRole("button", { name: "Resolve" }).waitFor();

    // the passage is edited away: after a reload the thread says so
    await call("PATCH", `/api/routines/${routine.id}`, { description: "# Weekly briefing\n\nPost it in #board by noon." });
    await page.reload();
    await thread.getByText("The passage was removed from the description.").waitFor();

    // the description changes while a comment is being written: the page says so, reloads it, and the comment goes in
    await select("Post it", "#board");
    await expect.poll(() => commentOn.isEnabled()).toBe(true);
    await commentOn.click();
    await draft.getByRole("textbox", { name: "Comment" }).fill("Which channel is #board?");
    await call("PATCH", `/api/routines/${routine.id}`, { description: "# Weekly briefing\n\nPost it in #board by 11:00." });
    await draft.getByRole("button", { name: "Comment", exact: true }).click();
    await draft.getByRole("alert").getByText("The description changed since this page loaded it").waitFor();
    await page.locator("#routine-description").getByText("by 11:00").waitFor();
    await expect.poll(() => problems).toEqual(["Failed to load resource: the server responded with a status of 409 (Conflict)"]);
    problems.length = 0;
    await draft.getByRole("button", { name: "Comment", exact: true }).click();
    const second = page.getByRole("article", { name: "Comments on “Post it in #board”" });
    await expect.poll(() => second.getByRole("listitem").first().textContent()).toMatch(/Which channel is #board\?$/);
    expect(await thread.locator(".anchor-orphaned").count()).toBe(1);

    // at 390 px in dark mode
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await fitsWidth(page);
    await shot(page, "12e-description-comments-narrow-dark");
  });

  it("lists a routine's revisions, restores one (its deleted webhook back, with a new secret shown once), and shows the activity, filtered and paged", async () => {
    const company = await call("POST", "/api/companies", { name: "Hooli" });
    const agent = await call("POST", `/api/companies/${company.id}/agents`, { name: "Archivist" });
    const agentKey = (await call("POST", `/api/agents/${agent.id}/keys`, {})).key;
    const project = await call("POST", `/api/companies/${company.id}/projects`, { name: "Digest" });
    // revision 1: created by the board; 2: a webhook added; 3: the agent renames it; 4: the webhook deleted
    const routine = await call("POST", `/api/companies/${company.id}/routines`, { title: "Daily digest", assigneeAgentId: agent.id, projectId: project.id });
    const { trigger } = await call("POST", `/api/routines/${routine.id}/triggers`, { kind: "webhook", label: "Alerts" });
    await call("PATCH", `/api/routines/${routine.id}`, { title: "Daily digest v2" }, agentKey);
    await call("DELETE", `/api/routine-triggers/${trigger.id}`);

    const { page } = await openPage();
    await page.goto(`${server.url}/c/${company.id}/routines/${routine.id}`);
    await page.getByRole("heading", { name: "Daily digest v2" }).waitFor();
    const history = page.getByRole("region", { name: "History" });
    await history.getByText("4 revisions").click();
    const revisions = history.getByRole("table", { name: "Revisions" });
    const revision = (n: number) => revisions.getByRole("row", { name: `Revision ${n}`, exact: true });
    const differs = (n: number) => revision(n).locator('td[data-label="Differs from the current one in"]').textContent();
    await expect.poll(() => revisions.locator("tbody tr").count()).toBe(4);
    expect(await revision(4).textContent()).toMatch(/^4 current.*Deleted webhook trigger.*board.*this is the current one$/);
    expect(await revision(4).getByRole("button", { name: "Restore" }).count()).toBe(0);
    // the agent by name, once the page has the company's agents
    await expect.poll(() => revision(3).textContent()).toMatch(/^3 Updated routineArchivist.*\((now|\d+ s ago)\)/);
    expect(await differs(3)).toBe("webhook trigger “Alerts” deleted since");
    expect(await differs(2)).toBe("title; webhook trigger “Alerts” deleted since");
    expect(await revision(1).textContent()).toMatch(/^1 Created routineboard/);
    expect(await differs(1)).toBe("title");
    await shot(page, "18-routine-revisions");

    // restore revision 2 with a summary: the old title is back, and the webhook with a new URL and secret, shown once
    await revision(2).getByRole("button", { name: "Restore" }).click();
    const dialog = page.getByRole("dialog", { name: "Restore revision 2?" });
    await dialog.getByLabel("Change summary").fill("Back to the original title");
    await shot(page, "19-restore-dialog");
    await dialog.getByRole("button", { name: "Restore revision" }).click();
    await page.getByRole("status").getByText("Restored revision 2 as revision 5: a webhook trigger was re-created").waitFor();
    await page.getByRole("heading", { name: "Daily digest active", exact: true }).waitFor();
    const secretBox = page.getByRole("article", { name: "Trigger Alerts" }).getByRole("group", { name: "Webhook secret" });
    const secret = (await secretBox.getByTestId("webhook-secret").textContent())!;
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    const hook = (await call("GET", `/api/routines/${routine.id}`)).triggers[0];
    expect(hook.webhookUrl).not.toBe(trigger.webhookUrl);
    const fired = await fetch(hook.webhookUrl, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: "{}" });
    expect(fired.status).toBe(202);
    await expect.poll(() => revisions.locator("tbody tr").count()).toBe(5);
    expect(await revision(5).textContent()).toMatch(/^5 currentrestored from revision 2Back to the original title.*board/);
    expect(await differs(2)).toBe("nothing: the same as the current one");
    await shot(page, "20-routine-restored");
    // shown once: after a reload the page cannot show it again
    await page.reload();
    await page.getByRole("article", { name: "Trigger Alerts" }).getByText("The secret was shown when the trigger was created").waitFor();
    expect(await secretBox.count()).toBe(0);

    // the routine's activity, from its History section: its own entries, its triggers' and its runs'
    await history.getByRole("link", { name: "Activity" }).click();
    await page.getByRole("heading", { name: "Activity" }).waitFor();
    expect(page.url()).toContain(`/c/${company.id}/activity?routineId=${routine.id}`);
    const entries = page.getByRole("table", { name: "Activity" }).locator("tbody tr");
    const all = await call("GET", `/api/companies/${company.id}/activity?routineId=${routine.id}&limit=200`);
    // 8 of the routine itself, the webhook trigger created and deleted, the re-created webhook's fire
    expect(all.length).toBe(11);
    await expect.poll(() => entries.count()).toBe(11);
    await entries.filter({ hasText: "restored revision 2" }).getByRole("link", { name: "Daily digest" }).waitFor();
    expect(await entries.filter({ hasText: "created the routine" }).textContent()).toMatch(/board.*created the routine.*Daily digest/);
    await entries.filter({ hasText: "deleted a webhook trigger" }).waitFor();
    await entries.filter({ hasText: "fired a run (webhook)" }).waitFor();
    await page.getByText("Only the activity of Daily digest, its triggers and its runs.").waitFor();
    await shot(page, "21-activity-routine");

    // filtered by actor type (in the URL): the agent's rename, by name
    await page.getByLabel("Actor type").selectOption("agent");
    await expect.poll(() => entries.count()).toBe(2);
    expect(page.url()).toContain("actorType=agent");
    await expect.poll(() => entries.allTextContents()).toEqual([
      expect.stringMatching(/Archivist.*(updated the routine|recorded revision 3)/),
      expect.stringMatching(/Archivist.*(updated the routine|recorded revision 3)/),
    ]);
    await page.getByLabel("Actor type").selectOption("");
    await expect.poll(() => entries.count()).toBe(11);
    // by the exact action
    await page.getByLabel("Action", { exact: true }).fill("routine.revision_restored");
    await page.getByLabel("Action", { exact: true }).press("Enter");
    await expect.poll(() => entries.count()).toBe(1);
    expect(await entries.first().textContent()).toMatch(/board.*restored revision 2.*Daily digest/);

    // four at a time, older pages on request, each entry once
    await page.goto(`${server.url}/c/${company.id}/activity?routineId=${routine.id}&limit=4`);
    await expect.poll(() => entries.count()).toBe(4);
    const older = page.getByRole("button", { name: "Older" });
    await older.click();
    await expect.poll(() => entries.count()).toBe(8);
    await older.click();
    await expect.poll(() => entries.count()).toBe(11);
    await older.waitFor({ state: "detached" });
    await page.getByText("The oldest entry is shown.").waitFor();
    expect(new Set(await entries.allTextContents()).size).toBe(11);
    expect(await entries.filter({ hasText: "created the routine" }).count()).toBe(1);

    // the whole company's activity, from the sections: the trigger changes and the fire too, linked to the routine
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Activity" }).click();
    const webhookFire = entries.filter({ hasText: "fired a run (webhook)" });
    await webhookFire.waitFor();
    expect(await entries.filter({ hasText: "deleted a webhook trigger" }).count()).toBe(1);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await fitsWidth(page);
    await shot(page, "22-activity-narrow-dark");
    await webhookFire.getByRole("link", { name: "Daily digest" }).click();
    await page.getByRole("heading", { name: "Daily digest active", exact: true }).waitFor();
    await history.getByText("5 revisions").click();
    await revision(5).waitFor();
    await fitsWidth(page);
    await shot(page, "23-routine-history-narrow-dark");
  });

  it("works at 390 px in dark mode, with back, forward, reload and deep links, and recovers when the server comes back", async () => {
    const { page, problems } = await openPage({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
    const routinePath = `/c/${ids.company}/routines/${ids.routine}`;
    await page.goto(server.url + routinePath);
    await page.getByRole("heading", { name: "Weekly CEO briefing" }).waitFor();
    await page.getByRole("table", { name: "Run history" }).locator("tbody tr").first().waitFor();
    expect(await page.evaluate("getComputedStyle(document.documentElement).backgroundColor")).toBe("rgb(20, 24, 29)");
    await fitsWidth(page);
    await shot(page, "13-narrow-dark-routine");

    const sections = page.getByRole("navigation", { name: "Sections" });
    await sections.getByRole("link", { name: "Routines" }).click();
    await page.getByRole("table", { name: "Routines" }).locator("tbody tr").first().waitFor();
    await fitsWidth(page);
    await shot(page, "14-narrow-dark-routines");
    await sections.getByRole("link", { name: "Agents" }).click();
    await page.getByRole("heading", { name: "Agents" }).waitFor();
    await fitsWidth(page);
    await sections.getByRole("link", { name: "Issues" }).click();
    await page.getByLabel("Status of AR-1").waitFor();
    await fitsWidth(page);
    await shot(page, "15-narrow-dark-issues");

    await page.goBack();
    await page.getByRole("heading", { name: "Agents" }).waitFor();
    await page.goBack();
    await page.getByRole("heading", { name: "Routines" }).waitFor();
    await page.goForward();
    await page.getByRole("heading", { name: "Agents" }).waitFor();
    await page.reload();
    await page.getByRole("table", { name: "Agents" }).getByRole("link", { name: "CEO" }).waitFor();
    await page.goto(server.url + routinePath + "?runStatus=coalesced");
    await expect.poll(() => page.getByRole("table", { name: "Run history" }).locator("tbody > tr").count()).toBe(1);
    expect(await page.getByLabel("Status", { exact: true }).inputValue()).toBe("coalesced");

    // the server goes away: the page says so, then recovers by itself when it is back
    await server.stop();
    await page.getByRole("button", { name: "Refresh" }).click();
    const banner = page.getByText("Cannot reach the server.");
    await banner.waitFor();
    await shot(page, "16-offline");
    server = await start();
    await banner.waitFor({ state: "detached", timeout: 15_000 });
    await page.getByRole("table", { name: "Run history" }).locator("tbody tr").first().waitFor();
    // the browser logs each refused request; those, and only those, are expected here
    const refused = problems.filter((p) => p.includes("net::ERR_CONNECTION_REFUSED"));
    expect(refused.length).toBeGreaterThan(0);
    problems.splice(0, problems.length, ...problems.filter((p) => !refused.includes(p)));
  });

  it("shows curl and Node recipes that fire a webhook trigger in every signing mode", async () => {
    const company = await call("POST", "/api/companies", { name: "Recipes Inc" });
    const agent = await call("POST", `/api/companies/${company.id}/agents`, { name: "Bot" });
    const project = await call("POST", `/api/companies/${company.id}/projects`, { name: "Hooks" });
    const routine = await call("POST", `/api/companies/${company.id}/routines`, {
      title: "On every event",
      assigneeAgentId: agent.id,
      projectId: project.id,
      concurrencyPolicy: "always_enqueue",
    });
    for (const mode of ["bearer", "hmac_sha256", "github_hmac", "standard_webhooks"]) {
      const { trigger, secretMaterial } = await call("POST", `/api/routines/${routine.id}/triggers`, { kind: "webhook", signingMode: mode });
      const { shell, node } = recipe(mode, trigger.webhookUrl, secretMaterial.webhookSecret);
      const script = path.join(dir, `fire-${mode}.mjs`);
      fs.writeFileSync(script, node);
      const env = { ...process.env, URL: trigger.webhookUrl, SECRET: secretMaterial.webhookSecret };
      expect((await run(process.execPath, [script], { env })).stdout, `${mode}: Node`).toMatch(/^202 \{/);
      // both recipes send the same event, signed with a timestamp in seconds: within one second the
      // second request is that same signed delivery again, which the replay guard rightly refuses
      await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
      const curl = await run("bash", ["-c", shell], { env: { PATH: process.env.PATH } });
      expect(JSON.parse(curl.stdout), `${mode}: curl`).toMatchObject({ status: "issue_created", source: "webhook", triggerId: trigger.id });
    }
  });

  it("is served publicly under a same-origin CSP, and asks for a board token in authenticated mode", async () => {
    for (const deep of ["/", "/c/00000000-0000-4000-8000-000000000000/agents"]) {
      const index = await fetch(authServer.url + deep);
      expect(index.status).toBe(200);
      expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(index.headers.get("content-security-policy")).toBe(
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
      );
      const html = await index.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(html).not.toMatch(/<style|style=/);
    }
    const script = (await (await fetch(authServer.url + "/")).text()).match(/src="(\/ui\/[^"]+\.js)"/)![1]!;
    const js = await fetch(authServer.url + script);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(authServer.url + "/ui/missing.js")).status).toBe(404);
    await call("POST", "/api/companies", { name: "Initech" }, BOARD_TOKEN, authServer);

    const { page } = await openPage({}, authServer);
    await page.goto(authServer.url + "/");
    const token = page.getByLabel("Board token");
    await token.fill("not-the-board-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("status").getByText("The board token was refused").waitFor();
    await shot(page, "17-sign-in");
    await token.fill(BOARD_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("No routines yet").waitFor();
    expect(await page.getByLabel("Company").inputValue()).not.toBe("");
    expect(await page.getByLabel("Board token").count()).toBe(0);
    // the 401s before signing in are logged by the browser as failed loads; nothing else is
    const { problems } = contexts.at(-1)!;
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes("401 (Unauthorized)")));
  });
});
