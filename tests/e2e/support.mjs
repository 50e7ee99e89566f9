// @ts-check
// Shared harness of the real-window tests: starts tauri-driver (which starts WebKitWebDriver,
// which starts the app), opens a WebdriverIO session on the app's window, and tears it all down.
//
// Each session gets a fresh, empty `--home` and fresh XDG config, data and cache directories (no
// saved window geometry or web view storage leaks in), and uses the passphrase key source, so the
// user's keyring and data are never touched.
//
// Environment:
//   VAULTMORT_E2E_APP          the app binary (default: <root>/target/debug/vaultmort-desktop)
//   VAULTMORT_E2E_TAURI_DRIVER tauri-driver (default: <root>/.tools/bin/tauri-driver, else PATH)
//   VAULTMORT_E2E_PORT         tauri-driver's port (default 4444; WebKitWebDriver gets port + 1)
//   VAULTMORT_E2E_SCREENSHOTS  where screenshots go (default: <root>/docs/screenshots)

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { inflateSync } from "node:zlib";
import { remote } from "webdriverio";

export const root = path.resolve(import.meta.dirname, "../..");
export const app = process.env.VAULTMORT_E2E_APP ?? path.join(root, "target/debug/vaultmort-desktop");
export const screenshotsDir = process.env.VAULTMORT_E2E_SCREENSHOTS ?? path.join(root, "docs/screenshots");
const port = Number(process.env.VAULTMORT_E2E_PORT ?? 4444);

/** How long to wait for the app's first view; the first start under a busy CPU is slow. */
const STARTUP_MS = 60_000;

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether something accepts TCP connections on 127.0.0.1:`p`.
 * @param {number} p
 * @returns {Promise<boolean>}
 */
export function portOpen(p) {
  return new Promise((resolve) => {
    const socket = connect(p, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

function tauriDriverPath() {
  if (process.env.VAULTMORT_E2E_TAURI_DRIVER) return process.env.VAULTMORT_E2E_TAURI_DRIVER;
  const cached = path.join(root, ".tools/bin/tauri-driver");
  return existsSync(cached) ? cached : "tauri-driver";
}

/**
 * A running app under WebDriver.
 * @typedef {{ browser: WebdriverIO.Browser, home: string, close(): Promise<void> }} Session
 */

/**
 * Starts tauri-driver and the app on a fresh home, and waits until the unlock view is shown.
 * On any failure everything started so far is stopped again before the error propagates.
 * @returns {Promise<Session>}
 */
export async function startApp() {
  assert.ok(existsSync(app), `the app binary ${app} exists (cargo build -p vaultmort-desktop)`);
  assert.equal(await portOpen(port), false, `port ${port} is free (is another tauri-driver still running?)`);

  const scratch = mkdtempSync(path.join(tmpdir(), "vaultmort-e2e-"));
  const home = path.join(scratch, "home");
  const xdg = Object.fromEntries(
    ["config", "data", "cache"].map((kind) => {
      const dir = path.join(scratch, kind);
      mkdirSync(dir);
      return [`XDG_${kind.toUpperCase()}_HOME`, dir];
    }),
  );
  mkdirSync(home);

  // The app inherits tauri-driver's environment; per-session settings go through its args.
  const driver = spawn(tauriDriverPath(), ["--port", String(port), "--native-port", String(port + 1)], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...xdg },
    // Its own process group, so that teardown can signal the whole tree (driver, WebKitWebDriver, app).
    detached: true,
  });
  /** @type {{ error: Error | null }} */
  const spawned = { error: null };
  driver.on("error", (error) => (spawned.error = error));

  /** @type {WebdriverIO.Browser | undefined} */
  let browser;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await browser?.deleteSession();
    } catch {
      // The session may already be gone (app crashed); the kill below still cleans up.
    }
    await stopDriver(driver);
    rmSync(scratch, { recursive: true, force: true });
  };

  try {
    for (const end = Date.now() + 15_000; ; await sleep(100)) {
      if (spawned.error) throw new Error(`cannot start tauri-driver (${tauriDriverPath()}): ${spawned.error.message}`);
      if (driver.exitCode !== null) throw new Error(`tauri-driver exited early with code ${driver.exitCode}`);
      if (await portOpen(port)) break;
      if (Date.now() > end) throw new Error(`tauri-driver did not listen on port ${port} within 15 s`);
    }
    browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      connectionRetryCount: 2,
      connectionRetryTimeout: STARTUP_MS,
      waitforTimeout: 15_000,
      capabilities: {
        // WebdriverIO 9 otherwise negotiates WebDriver BiDi, which tauri-driver does not proxy.
        "wdio:enforceWebDriverClassic": true,
        // @ts-expect-error tauri-driver's vendor capability is not in WebdriverIO's types
        "tauri:options": { application: app, args: ["--home", home, "--key-source", "passphrase"] },
      },
    });
    await browser.$('[data-testid="unlock-view"]').waitForDisplayed({ timeout: STARTUP_MS });
    return { browser, home, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Stops tauri-driver and everything it started: SIGTERM to the process group, SIGKILL if it is
 * still there after 5 s.
 * @param {import("node:child_process").ChildProcess} driver
 */
async function stopDriver(driver) {
  if (driver.pid === undefined || driver.exitCode !== null || driver.signalCode !== null) return;
  const exited = new Promise((resolve) => driver.once("exit", resolve));
  const signal = (/** @type {NodeJS.Signals} */ sig) => {
    try {
      process.kill(-(/** @type {number} */ (driver.pid)), sig);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!done) {
    signal("SIGKILL");
    await exited;
  }
  // The app may outlive the group leader for a moment; make sure no straggler holds the port.
  signal("SIGKILL");
}

/**
 * Saves a screenshot of the window to `<screenshotsDir>/<name>.png` and checks it is not blank:
 * a window that never painted gives a PNG of one flat colour, although WebDriver still finds
 * every element in it.
 * @param {WebdriverIO.Browser} browser
 * @param {string} name
 */
export async function screenshot(browser, name) {
  mkdirSync(screenshotsDir, { recursive: true });
  const file = path.join(screenshotsDir, `${name}.png`);
  // Let the last input reach the screen: WebDriver returns before the next frame is painted.
  await browser.execute(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(null)))));
  await browser.saveScreenshot(file);
  const colours = distinctColours(readFileSync(file));
  assert.ok(colours >= 16, `${name}.png has only ${colours} distinct colours: the window looks unpainted`);
  return file;
}

/**
 * Counts distinct colours in an 8-bit RGB/RGBA PNG (what WebKitWebDriver writes), up to 1000.
 * @param {Buffer} png
 */
export function distinctColours(png) {
  assert.equal(png.subarray(1, 4).toString("latin1"), "PNG", "the screenshot is a PNG");
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = 0;
  let bitDepth = 0;
  /** @type {Buffer[]} */
  const data = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString("latin1");
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      bitDepth = body[8] ?? 0;
      colourType = body[9] ?? 0;
    } else if (type === "IDAT") data.push(body);
    else if (type === "IEND") break;
    offset += 12 + length;
  }
  assert.equal(bitDepth, 8, "an 8-bit PNG");
  const channels = colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
  assert.ok(channels > 0, `an RGB or RGBA PNG (colour type ${colourType})`);
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const seen = new Set();
  // Undo the PNG row filters to get the true pixels.
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const start = y * (stride + 1);
    const filter = raw[start];
    const line = Buffer.from(raw.subarray(start + 1, start + 1 + stride));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? (line[i - channels] ?? 0) : 0;
      const up = previous[i] ?? 0;
      const upLeft = i >= channels ? (previous[i - channels] ?? 0) : 0;
      let add = 0;
      if (filter === 1) add = left;
      else if (filter === 2) add = up;
      else if (filter === 3) add = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        add = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      line[i] = ((line[i] ?? 0) + add) & 0xff;
    }
    for (let x = 0; x < stride; x += channels) {
      seen.add(((line[x] ?? 0) << 16) | ((line[x + 1] ?? 0) << 8) | (line[x + 2] ?? 0));
      if (seen.size >= 1000) return seen.size;
    }
    previous = line;
  }
  return seen.size;
}
