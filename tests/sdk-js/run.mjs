#!/usr/bin/env node
// @ts-check
// Runs the official Azure SDK for JavaScript conformance suite against `vaultmort serve`.
//
// Node's standard library only, so it starts before any package is installed. It checks that
// `<vault>.localhost` resolves through the system resolver (the SDKs use Node's default lookup,
// which asks getaddrinfo; nothing here patches it), then creates a throwaway home with a
// passphrase-protected store through the CLI: a resource group, two vaults and two practice
// applications in the directory, `sdk-js-app` with every permission on both vaults and
// `sdk-js-limited` with only secrets get and list on the first. It exports the practice CA's
// root, starts `vaultmort serve --port 0`, reads the one JSON line the server prints, and runs
// the `*.test.mjs` files here with `node --test`, passing the port, tenant, both applications'
// ids and secrets and the CA file in the environment. Node reads NODE_EXTRA_CA_CERTS at start-up,
// so the test processes trust the practice root with no client option. The server is stopped and
// the home removed whatever happens; the exit code is non-zero when any test fails.
//
// It does not install the npm packages: `cargo xtask test` runs `npm ci --prefix tests/sdk-js`
// first (and so can you).
//
//     node tests/sdk-js/run.mjs [--vaultmort target/debug/vaultmort] [node --test args...]
//
// e.g. `node tests/sdk-js/run.mjs --test-name-pattern=wrap`.

import { execFileSync, spawn } from "node:child_process";
import { lookup } from "node:dns/promises";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

const here = import.meta.dirname;
const root = path.resolve(here, "../..");
const VAULT = "sdkjsvault";
const SECOND_VAULT = "sdkjssecond";
const PASSPHRASE = "sdk-js conformance passphrase";
/** How long the server may take to print its start-up line (a debug build on a busy CI machine). */
const START_TIMEOUT_MS = 60_000;
/** How long the server may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** The binary and the arguments for `node --test`, from the command line and the environment. */
function parseArguments() {
  let args = process.argv.slice(2);
  let binary = process.env.VAULTMORT_BIN;
  if (args[0] === "--vaultmort") {
    if (args.length < 2) throw new Error("--vaultmort needs the path of the vaultmort binary");
    binary = args[1];
    args = args.slice(2);
  }
  if (!binary) {
    const target = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, "target");
    binary = path.join(target, "debug", "vaultmort");
  }
  return { binary: path.resolve(binary), testArgs: args };
}

/**
 * Whether `host` resolves the way the SDKs will resolve it (Node's dns.lookup, i.e. getaddrinfo).
 * @param {string} host
 */
async function resolves(host) {
  try {
    await lookup(host, { all: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The server's start-up line, or an error naming what it printed instead. Its stderr is kept only
 * to explain a failed start, with the line that shows the owner's client secret left out.
 * @param {import("node:child_process").ChildProcessByStdio<null, import("node:stream").Readable, import("node:stream").Readable>} server
 * @returns {Promise<{port: number, tenantId: string}>}
 */
function startupLine(server) {
  /** @type {string[]} */
  const stderr = [];
  createInterface({ input: server.stderr }).on("line", (line) => {
    if (!/client secret/i.test(line)) stderr.push(line);
  });
  return new Promise((resolve, reject) => {
    const fail = (/** @type {string} */ why) => reject(new Error(`vaultmort serve did not start: ${why}\n${stderr.join("\n")}`));
    const timer = setTimeout(() => fail(`no start-up line within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const lines = createInterface({ input: server.stdout });
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        fail(`its first line is not JSON: ${line}`);
      }
    });
    server.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(`it exited with ${signal ?? `code ${code}`}`);
    });
    server.once("error", (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
  });
}

/**
 * Stops the server: SIGTERM, then SIGKILL if it is still running after the grace period.
 * @param {import("node:child_process").ChildProcess} server
 */
async function stop(server) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** The `node --test` process while it runs, for the signal handler to stop. */
const running = { /** @type {import("node:child_process").ChildProcess | undefined} */ tests: undefined };

/**
 * Runs `node --test` over the test files and resolves to its exit code.
 * @param {string[]} testArgs
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>}
 */
function runTests(testArgs, env) {
  const files = readdirSync(here)
    .filter((name) => name.endsWith(".test.mjs"))
    .sort()
    .map((name) => path.join(here, name));
  // The spec reporter prints the test names and the assertion messages; TAP is the default when
  // stdout is not a terminal, as under cargo xtask.
  const reporter = testArgs.some((arg) => arg.startsWith("--test-reporter")) ? [] : ["--test-reporter=spec"];
  const tests = spawn(process.execPath, ["--test", ...reporter, ...testArgs, ...files], { cwd: here, env, stdio: "inherit" });
  running.tests = tests;
  return new Promise((resolve) => {
    tests.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    tests.once("error", (error) => {
      console.error(`node --test did not start: ${error.message}`);
      resolve(1);
    });
  });
}

async function main() {
  const { binary, testArgs } = parseArguments();
  if (!existsSync(binary)) {
    console.error(`${binary} does not exist: build it with \`cargo build --workspace --bin vaultmort\` or pass --vaultmort PATH.`);
    return 1;
  }
  if (!existsSync(path.join(here, "node_modules", "@azure", "keyvault-secrets"))) {
    console.error("The SDKs are not installed: run `npm ci --prefix tests/sdk-js` (cargo xtask test does).");
    return 1;
  }
  for (const host of [`${VAULT}.localhost`, `${SECOND_VAULT}.localhost`, "localhost"]) {
    if (!(await resolves(host))) {
      console.error(
        `${host} does not resolve on this machine. The SDKs use the system resolver: install libnss-myhostname ` +
          "(`cargo xtask setup` does), or run `vaultmort setup-client --apply` to write the /etc/hosts lines.",
      );
      return 1;
    }
  }

  const scratch = mkdtempSync(path.join(tmpdir(), "vaultmort-sdk-js-"));
  /** @type {import("node:child_process").ChildProcess | undefined} */
  let server;
  // Ctrl-C or a CI timeout stops the tests and the server too (a child process outlives its
  // parent otherwise), and only then removes the home the server writes to.
  const interrupted = async (/** @type {NodeJS.Signals} */ signal) => {
    running.tests?.kill("SIGTERM");
    if (server) await stop(server);
    rmSync(scratch, { recursive: true, force: true });
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    /** @type {NodeJS.ProcessEnv} */
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VAULTMORT_")));
    Object.assign(env, {
      VAULTMORT_HOME: path.join(scratch, "home"),
      VAULTMORT_KEY_SOURCE: "passphrase",
      VAULTMORT_PASSPHRASE: PASSPHRASE,
    });
    const cli = (/** @type {string[]} */ ...words) => execFileSync(binary, [...words, "-o", "none"], { env, stdio: ["ignore", "ignore", "inherit"] });
    const cliJson = (/** @type {string[]} */ ...words) =>
      JSON.parse(execFileSync(binary, [...words, "-o", "json"], { env, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" }));

    cli("group", "create", "--name", "sdk-js-rg", "--location", "westeurope");
    cli("keyvault", "create", "--name", VAULT, "--resource-group", "sdk-js-rg");
    cli("keyvault", "create", "--name", SECOND_VAULT, "--resource-group", "sdk-js-rg");
    const app = cliJson("ad", "sp", "create", "--display-name", "sdk-js-app");
    const limited = cliJson("ad", "sp", "create", "--display-name", "sdk-js-limited");
    for (const vault of [VAULT, SECOND_VAULT]) {
      cli("keyvault", "set-policy", "--name", vault, "--spn", app.appId,
        "--key-permissions", "all", "--secret-permissions", "all", "--certificate-permissions", "all");
    }
    cli("keyvault", "set-policy", "--name", VAULT, "--spn", limited.appId, "--secret-permissions", "get", "list");
    const testTmp = path.join(scratch, "tmp");
    mkdirSync(testTmp, { mode: 0o700 });
    const ca = path.join(scratch, "practice-root.pem");
    cli("ca", "export-root", "--file", ca);

    const started = spawn(binary, ["serve", "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
    server = started;
    const info = await startupLine(started);
    started.stdout.resume();

    /** @type {NodeJS.ProcessEnv} */
    const testEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VAULTMORT_")));
    Object.assign(testEnv, {
      VAULTMORT_SDK_PORT: String(info.port),
      VAULTMORT_SDK_VAULT: VAULT,
      VAULTMORT_SDK_SECOND_VAULT: SECOND_VAULT,
      VAULTMORT_SDK_TENANT: info.tenantId,
      VAULTMORT_SDK_CLIENT_ID: app.appId,
      VAULTMORT_SDK_CLIENT_SECRET: app.password,
      VAULTMORT_SDK_LIMITED_CLIENT_ID: limited.appId,
      VAULTMORT_SDK_LIMITED_CLIENT_SECRET: limited.password,
      VAULTMORT_SDK_CA: ca,
      NODE_EXTRA_CA_CERTS: ca,
      // What the tests write (openssl's keys and PFX files) lands in the scratch folder, so it is
      // removed with the home even when a test process is stopped before its clean-up.
      TMPDIR: testTmp,
    });
    const started_at = Date.now();
    const code = await runTests(testArgs, testEnv);
    console.log(`sdk-js: node --test took ${((Date.now() - started_at) / 1000).toFixed(1)} s`);
    return code;
  } finally {
    if (server) await stop(server);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
