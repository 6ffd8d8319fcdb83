/**
 * The dashboard in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) against a live cluster of three node processes
 * running the sources, the page served by n1 and talking only to it.
 *
 * - the cluster page lists the 3 nodes, each up, and draws phi over time;
 * - a clock skew applied from the clocks page (the admin token typed into
 *   it) shows on the clock view and in `/cluster` (n3's own admin offset,
 *   and n1's measure of n3's clock from heartbeats); a wrong token shows
 *   the server's FORBIDDEN;
 * - a key written with siblings (two writes without a context in a causal
 *   bucket, through the client) shows both on the keys page, each replica's
 *   record side by side; resolving them from the page leaves one;
 * - the lost-updates page runs the demonstration: in `lww-wall` writes are
 *   lost and marked with their reason, in `causal` none;
 * - a paused node (SIGSTOP) shows as unreachable and suspected, then up again;
 * - the page asks for nothing but the node that served it, and throws no
 *   uncaught error.
 *
 * A screenshot of each page is written to a folder the test prints (under
 * the OS's temp dir, kept for a person to look at; SKEW_DASHBOARD_SCREENSHOTS
 * names another).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SkewClient, SkewClientError } from "@skew/client";
import { decodeCluster } from "@skew/client/api";
import { dashboardAssetsDir, dashboardBuilt } from "@skew/dashboard";
import { logicalOf, type Timestamp, wallOf } from "@skew/hlc";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessCluster } from "../../src/cli/processes.js";
import { sourceCli, sourceNodeArgs } from "../cli/support.js";
import { freePort, tempDir } from "../support/local.js";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** How long the page may take to show what a step waits for (the machine is shared with other test runs). */
const uiTimeoutMs = 30_000;
/** A heartbeat's transit on loopback, at most: n1 measures n3's clock as n3's wall clock at sending minus its own at receipt. */
const heartbeatTransitMsMax = 100;
const skewMs = 300;

const dir = tempDir("skew-dashboard-browser-");
const screenshots =
  process.env.SKEW_DASHBOARD_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), "skew-dashboard-screenshots-"));
let cluster: ProcessCluster | undefined;
let browser: Browser | undefined;
let page: Page;
let n1: string;
let n3: string;
const elsewhere: string[] = [];
const pageErrors: string[] = [];
const startedAt = Date.now();

async function shoot(name: string): Promise<void> {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

async function clusterOf(url: string) {
  const response = await fetch(`${url}/cluster`, { signal: AbortSignal.timeout(5_000) });
  const view = decodeCluster(response.status, await response.json());
  if (view === undefined) throw new Error(`${url}/cluster answered ${response.status}`);
  return view;
}

const byTestId = (id: string) => page.getByTestId(id);
const text = async (id: string): Promise<string> => (await byTestId(id).textContent()) ?? "";
const attribute = async (id: string, name: string): Promise<string | null> => byTestId(id).getAttribute(name);
const poll = { timeout: uiTimeoutMs, interval: 200 };

/**
 * Looks the key typed on the keys page up until the read and every replica answered. The read (R = 2, the node's
 * 2 s quorum timeout) may be refused 503, and n1 gives each replica 1 s (memberAnswerTimeoutMs) to answer: on a
 * loaded machine either may fail, which says nothing about the key, so the lookup is made again. An answer, whatever
 * it says, is kept; failures that last `uiTimeoutMs` are kept too, and fail the assertions that follow.
 */
async function lookUpAnswered(): Promise<void> {
  const giveUpAt = Date.now() + uiTimeoutMs;
  for (;;) {
    const replicas = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith("/replicas"), {
      timeout: uiTimeoutMs,
    });
    const read = page.waitForResponse(
      (r) => r.request().method() === "GET" && new URL(r.url()).pathname.startsWith("/buckets/"),
      { timeout: uiTimeoutMs },
    );
    await byTestId("keys-lookup").click();
    await Promise.all([replicas, read]);
    // Both answers are in: the lookup is shown once the button is free again.
    await expect.poll(() => byTestId("keys-lookup").isEnabled(), poll).toBe(true);
    const failures = await byTestId("keys-result").evaluate(
      (result) =>
        result.querySelectorAll('[data-testid="keys-read-error"], [data-testid="keys-replicas-error"], .card .error')
          .length,
    );
    if (failures === 0 || Date.now() >= giveUpAt) return;
  }
}

beforeAll(async () => {
  if (!dashboardBuilt()) {
    throw new Error(`the dashboard is not built (${dashboardAssetsDir}): run npm run build -w @skew/dashboard first`);
  }
  mkdirSync(screenshots, { recursive: true });
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  cluster = new ProcessCluster({
    nodes: 3,
    ports,
    dataDir: dir,
    cli: sourceCli,
    nodeArgs: sourceNodeArgs,
    env: { SKEW_HEARTBEAT_INTERVAL_MS: "100", SKEW_LOG_LEVEL: "warn" },
  });
  await cluster.start();
  n1 = cluster.node("n1").url;
  n3 = cluster.node("n3").url;
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Offline but for the node: the page must need nothing from anywhere else (no CDN, no fonts).
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${n1}/`)) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `dashboard screenshots: ${screenshots} (browser test: ${((Date.now() - startedAt) / 1000).toFixed(1)} s with the cluster's start)`,
  );
}, 60_000);

describe("the dashboard in headless Chromium, against 3 node processes", () => {
  it("the cluster page shows the 3 nodes, up as n1 and each peer see them, with phi drawn over time", async () => {
    await page.goto(`${n1}/`);
    await expect.poll(() => text("serving-node"), poll).toBe("n1");
    // The header has its own request (/cluster), which may answer after the page's first poll of /cluster/nodes.
    await expect.poll(() => text("header-node"), poll).toBe("n1");
    expect(await text("cluster-node-count")).toBe("3");
    for (const id of ["n1", "n2", "n3"]) {
      await expect.poll(() => attribute(`cluster-node-${id}`, "data-state"), poll).toBe("up");
    }
    for (const observer of ["n1", "n2", "n3"]) {
      for (const target of ["n1", "n2", "n3"]) {
        await expect
          .poll(() => attribute(`seen-${observer}-${target}`, "data-state"), poll)
          .toBe(observer === target ? "self" : "up");
      }
      // uPlot draws on a canvas, one chart per observer, a line per peer in the legend.
      const chart = byTestId(`phi-chart-${observer}`);
      await chart.locator("canvas").waitFor({ timeout: uiTimeoutMs });
      const peers = ["n1", "n2", "n3"].filter((id) => id !== observer).map((id) => `phi(${id})`);
      // The chart is made again when a peer first shows up in its history: polled, not read at one moment.
      await expect
        .poll(() => chart.locator(".u-legend .u-label").allTextContents(), poll)
        .toEqual(expect.arrayContaining(peers));
    }
    await page.waitForTimeout(3_000); // a few seconds of phi on the charts, for the screenshot
    await shoot("1-cluster");
  });

  it("a skew applied from the clocks page shows on the clock view and in /cluster; a wrong token shows FORBIDDEN", async () => {
    await byTestId("nav-clocks").click();
    await byTestId("clock-table").waitFor({ timeout: uiTimeoutMs });
    for (const id of ["n1", "n2", "n3"]) {
      await expect.poll(() => byTestId(`truetime-bar-${id}`).count(), poll).toBe(1);
    }
    await byTestId("clock-node").selectOption("n3");
    await byTestId("clock-offset").fill(String(skewMs));

    await byTestId("admin-token").fill("not-the-token");
    await byTestId("clock-offset-apply").click();
    await expect.poll(() => attribute("clock-error", "data-code"), poll).toBe("FORBIDDEN");
    expect((await clusterOf(n3)).clock.offsetMs).toBe(0);

    await byTestId("admin-token").fill(cluster?.adminToken ?? "");
    await byTestId("clock-offset-apply").click();
    await expect.poll(() => text("clock-result"), poll).toContain("n3");
    expect(await byTestId("clock-error").count()).toBe(0);
    // The token is kept for the tab, never put in the URL.
    expect(page.url()).not.toContain(cluster?.adminToken ?? "");
    expect(await page.evaluate('sessionStorage.getItem("skew.dashboard.adminToken")')).toBe(cluster?.adminToken);

    // n3's own clock, as the page shows it (n3's /cluster through n1) and as n3 says.
    await expect.poll(() => attribute("clock-offset-n3", "data-ms"), poll).toBe(String(skewMs));
    expect((await clusterOf(n3)).clock.offsetMs).toBe(skewMs);
    // n1's measure of n3's clock from heartbeats: on the page and in n1's /cluster. It is the latest heartbeat's, low
    // by that heartbeat's transit, which a loaded machine may stretch past heartbeatTransitMsMax: each is polled
    // until a heartbeat came through in time, and that same reading must not exceed the skew.
    let pageMeasured = Number.NaN;
    await expect
      .poll(async () => {
        pageMeasured = Number(await attribute("clock-measured-n3", "data-ms"));
        return pageMeasured;
      }, poll)
      .toBeGreaterThan(skewMs - heartbeatTransitMsMax);
    expect(pageMeasured).toBeLessThanOrEqual(skewMs + 5);
    let measured = Number.NaN;
    await expect
      .poll(async () => {
        measured = (await clusterOf(n1)).members.find((m) => m.id === "n3")?.clockOffsetMs ?? Number.NaN;
        return measured;
      }, poll)
      .toBeGreaterThan(skewMs - heartbeatTransitMsMax);
    expect(measured).toBeLessThanOrEqual(skewMs + 5);
    // n3's wall clock is drawn off its TrueTime bar: the bar follows the machine's clock, the wall clock is skewed.
    // Both from one drawing (the axis is scaled again at every redraw), read in one step; polled only until a
    // drawing has both (a poll whose /cluster of n3 was not answered in time draws "no answer" in its lane).
    let marks: { barRight: number; wallX: number } | undefined;
    await expect
      .poll(async () => {
        marks = await byTestId("truetime-lane-n3").evaluate((lane) => {
          const bar = lane.querySelector('[data-testid="truetime-bar-n3"]')?.getBoundingClientRect();
          const wall = lane.querySelector(".wall-mark")?.getBoundingClientRect();
          return bar === undefined || wall === undefined ? undefined : { barRight: bar.x + bar.width, wallX: wall.x };
        });
        return marks !== undefined;
      }, poll)
      .toBe(true);
    expect(marks?.wallX).toBeGreaterThan(marks?.barRight ?? Number.NaN);

    // The page's HLC is @skew/hlc's reading of the packed value. The page redraws every second, so the three
    // attributes are read in one step: read one by one, they could come from two different polls.
    for (const id of ["n1", "n2", "n3"]) {
      const shown = await byTestId(`clock-hlc-${id}`).evaluate((cell) => ({
        packed: Number(cell.getAttribute("data-hlc")),
        wallMs: Number(cell.getAttribute("data-wall-ms")),
        logical: Number(cell.getAttribute("data-logical")),
      }));
      expect(shown.wallMs).toBe(wallOf(shown.packed as Timestamp));
      expect(shown.logical).toBe(logicalOf(shown.packed as Timestamp));
    }
    await shoot("2-clocks-n3-skewed");

    await byTestId("clock-offset").fill("0");
    await byTestId("clock-offset-apply").click();
    await expect.poll(() => attribute("clock-offset-n3", "data-ms"), poll).toBe("0");
    expect((await clusterOf(n3)).clock.offsetMs).toBe(0);
  });

  it("a key with siblings shows both, each replica's record side by side; resolving from the page leaves one", async () => {
    const key = `fruit-${Date.now()}`;
    const client = new SkewClient({ nodes: [cluster?.node("n2").url ?? ""], timeoutMs: 5_000 });
    try {
      // Two writes without a context: neither saw the other, so a causal bucket keeps both.
      await client.put("causal", key, "apple");
      const second = await client.put("causal", key, "banana");
      expect(second.siblings).toBe(2);

      await byTestId("nav-keys").click();
      await byTestId("keys-bucket").selectOption("causal");
      await byTestId("keys-key").fill(key);
      await lookUpAnswered();
      await expect.poll(() => text("keys-sibling-count"), poll).toBe("2");
      const siblings = await byTestId("keys-sibling-text").allTextContents();
      expect([...siblings].sort()).toEqual(["apple", "banana"]);
      expect((await text("keys-context")).length).toBeGreaterThan(0);
      const preference = (await text("keys-preference")).split(" → ");
      expect([...preference].sort()).toEqual(["n1", "n2", "n3"]);
      // Each replica's own record, in the preference list's order; a write quorum (2) holds both siblings already.
      const holding = [];
      for (const node of preference) {
        const card = byTestId(`keys-replica-${node}`);
        await card.waitFor({ timeout: uiTimeoutMs });
        const texts = await card.getByTestId("keys-replica-sibling").allTextContents();
        if (texts.length === 2) holding.push(node);
      }
      expect(holding.length).toBeGreaterThanOrEqual(2);
      await shoot("3-keys-siblings");

      await byTestId("keys-resolve-value").fill("apple and banana");
      await byTestId("keys-resolve-submit").click();
      await expect.poll(() => text("keys-resolve-result"), poll).toContain("1 value");
      await expect.poll(() => text("keys-sibling-count"), poll).toBe("1");
      expect(await byTestId("keys-sibling-text").allTextContents()).toEqual(["apple and banana"]);
      // Every replica holds the one value. A read with R = 3 is refused while a loaded node suspects a peer: asked again.
      const allThree = async () => {
        try {
          const after = await client.get("causal", key, { r: 3 });
          return after.siblings.map((s) => new TextDecoder().decode(s.value));
        } catch (error) {
          return error instanceof SkewClientError ? error.code : error;
        }
      };
      await expect.poll(allThree, poll).toEqual(["apple and banana"]);
      await shoot("4-keys-resolved");
    } finally {
      await client.close();
    }
  });

  it("the lost-updates page: lww-wall loses the skewed node's writes, each marked with its reason; causal none", async () => {
    await byTestId("nav-lost-updates").click();
    // Same tab: the token typed on the clocks page is there already.
    await expect.poll(() => byTestId("admin-token").inputValue(), poll).toBe(cluster?.adminToken);
    await expect.poll(() => byTestId("demo-bucket").locator("option").count(), poll).toBeGreaterThan(1);
    await byTestId("demo-bucket").selectOption("lww-wall");
    await byTestId("demo-appends").fill("12");
    await byTestId("demo-skew").fill("-400");
    await byTestId("demo-skewed").selectOption("n3");
    const offsetBefore = (await clusterOf(n3)).clock.offsetMs;
    await byTestId("demo-run").click();
    await expect.poll(() => attribute("demo-result", "data-bucket"), { ...poll, timeout: 90_000 }).toBe("lww-wall");

    const acknowledged = Number(await text("demo-acknowledged"));
    const kept = Number(await text("demo-kept"));
    const lost = Number(await text("demo-lost"));
    expect(acknowledged).toBe(12);
    expect(lost).toBeGreaterThan(0);
    expect(kept + lost).toBe(acknowledged);
    // Each lost write is marked on the timeline and listed with its reason.
    expect(await page.locator('[data-outcome="lost"]').count()).toBe(lost);
    const reasons = await byTestId("demo-lost-reason").allTextContents();
    expect(reasons).toHaveLength(lost);
    for (const reason of reasons) expect(reason).toMatch(/last-write-wins kept write \d+/);
    const firstLost = page.locator('[data-outcome="lost"]').first();
    const index = await firstLost.getAttribute("data-testid");
    await firstLost.click();
    expect(await attribute("demo-detail", "data-index")).toBe(index?.replace("demo-write-", "") ?? "");
    expect(await text("demo-detail-verdict")).toBe("lost");
    expect(await text("demo-detail-reason")).toMatch(/stamped .* by n3/);
    await shoot("5-lost-updates-lww-wall");

    await byTestId("demo-bucket").selectOption("causal");
    await byTestId("demo-run").click();
    await expect.poll(() => attribute("demo-result", "data-bucket"), { ...poll, timeout: 90_000 }).toBe("causal");
    expect(await text("demo-acknowledged")).toBe("12");
    expect(await text("demo-lost")).toBe("0");
    expect(await text("demo-kept")).toBe("12");
    await byTestId("demo-none-lost").waitFor({ timeout: uiTimeoutMs });
    expect(await page.locator('[data-outcome="kept"]').count()).toBe(12);
    await shoot("6-lost-updates-causal");

    // The run put n3's clock back where it was.
    expect((await clusterOf(n3)).clock.offsetMs).toBe(offsetBefore);
  });

  it("a paused node shows as unreachable from n1 and suspected by the others, and up again once it resumes", async () => {
    await byTestId("nav-cluster").click();
    await expect.poll(() => attribute("cluster-node-n2", "data-state"), poll).toBe("up");
    cluster?.kill("n2", "SIGSTOP");
    try {
      await expect.poll(() => attribute("cluster-node-n2", "data-state"), poll).toBe("unreachable");
      expect(await text("cluster-node-error-n2")).toMatch(/^(TIMEOUT|UNREACHABLE)/);
      await expect.poll(() => attribute("seen-n1-n2", "data-state"), poll).toBe("suspected");
      await expect.poll(() => attribute("seen-n3-n2", "data-state"), poll).toBe("suspected");
      await shoot("7-cluster-n2-paused");
    } finally {
      cluster?.kill("n2", "SIGCONT");
    }
    await expect.poll(() => attribute("cluster-node-n2", "data-state"), poll).toBe("up");
    await expect.poll(() => attribute("seen-n1-n2", "data-state"), poll).toBe("up");
  });

  it("asked nothing of any other origin and threw no uncaught error", () => {
    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
