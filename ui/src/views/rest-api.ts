// The REST API page: starts and stops Key Vault's REST API (the same server as `vaultmort
// serve`) on loopback, shows each vault's URL and the token endpoint with copy buttons, exports
// the practice CA's root to trust, copies the owner's client secret, says how to use it from
// Python, and sets up a client: the plan `vaultmort setup-client` prints (one block per step,
// each with a Copy button), and the client's own files (the .env with a chosen application's new
// secret, the CA file beside it) written where the person chooses. The backend does the work;
// this page shows its status.
//
// Left out: developer mode and a default vault, which stay CLI options (`vaultmort serve`); the
// system parts of the set-up (trust store, /etc/hosts), which need root: the page shows the
// `sudo vaultmort setup-client --apply` command for them.

import { h, replace } from "../dom";
import { host, type ClientSetupPlan, type RestApiStatus } from "../host";
import { busy, button, download, field, load, notify, table } from "../ui";
import { copyText } from "./common";

/** The value in `<code>` with a Copy button beside it. */
function copyable(value: string, testid: string, label: string): HTMLElement {
  return h(
    "span",
    { class: "copyable" },
    h("code", { "data-testid": testid }, value),
    button("Copy", { class: "small", "data-testid": `${testid}-copy`, "aria-label": `Copy ${label}` }, () => {
      void copyText(value).then(() => notify(`Copied ${label}.`));
    }),
  );
}

export function restApiView(): HTMLElement {
  const body = h("div", { "data-testid": "rest-api" });
  const secretNote = h("div", { "aria-live": "polite" });
  const reload = () => load(body, () => host.restApiStatus(), (s) => render(s));

  function showNewSecret(s: RestApiStatus): void {
    if (s.newClientSecret === null) return;
    replace(
      secretNote,
      h(
        "div",
        { class: "callout", "data-testid": "rest-new-secret" },
        h("p", null, h("strong", null, "A client secret for the local owner was made. "), "It is shown this once; it is kept in ", h("code", null, s.clientSecretFile), " and “Copy client secret” copies it later."),
        copyable(s.newClientSecret, "rest-new-secret-value", "the client secret"),
      ),
    );
  }

  function render(s: RestApiStatus): HTMLElement {
    const port = h("input", { type: "number", min: "0", max: "65535", value: String(s.port), "data-testid": "rest-port", disabled: s.running, inputmode: "numeric" });
    const toggle = button(s.running ? "Stop" : "Start", { class: s.running ? "danger" : "primary", "data-testid": "rest-toggle", "aria-pressed": String(s.running) }, (b) => {
      void busy(b, s.running ? "Stopping…" : "Starting…", () => (s.running ? host.stopRestApi() : host.startRestApi(Number(port.value)))).then((next) => {
        if (next === undefined) return;
        notify(next.running ? `REST API running on port ${next.port}.` : "REST API stopped.");
        showNewSecret(next);
        replace(body, render(next));
      });
    });
    const exportCa = button("Export CA certificate…", { "data-testid": "rest-export-ca" }, (b) => {
      void download(b, "vaultmort-root.pem", [{ name: "PEM certificate", extensions: ["pem", "crt"] }], (path) => host.saveCaCertificate(path));
    });
    const copySecret = button("Copy client secret", { "data-testid": "rest-copy-secret" }, (b) => {
      void busy(b, "Copying…", () => host.copyRestClientSecret()).then((seconds) => {
        if (seconds !== undefined) notify(`Client secret copied; the clipboard is cleared in ${seconds} s.`);
      });
    });
    copySecret.disabled = !s.clientSecretExists;
    const state = s.running
      ? h("span", { class: "badge days-ok", "data-testid": "rest-state" }, `Running on ${s.address}:${s.port}`)
      : h("span", { class: "badge", "data-testid": "rest-state" }, "Stopped");
    const facts: [string, Node | string][] = [
      ["Tenant id", copyable(s.tenantId, "rest-tenant", "the tenant id")],
      ["Client id (local owner)", copyable(s.clientId, "rest-client-id", "the client id")],
      ["Client secret", h("span", null, s.clientSecretExists ? h("code", null, s.clientSecretFile) : "made at the first start", " ", copySecret)],
    ];
    if (s.tokenEndpoint !== null) facts.unshift(["Token endpoint", copyable(s.tokenEndpoint, "rest-token-endpoint", "the token endpoint")]);
    if (s.authority !== null) facts.unshift(["Authority", copyable(s.authority, "rest-authority", "the authority")]);
    return h(
      "div",
      null,
      h("div", { class: "row" }, field("Port", port, "1024–65535; 0 picks a free port"), h("div", { class: "actions" }, toggle, state)),
      secretNote,
      s.running
        ? table(
            ["Vault", "URL", "Practice throttling"],
            s.vaults.map((v) =>
              h(
                "tr",
                { "data-testid": `rest-vault-${v.vault}` },
                h("th", { scope: "row" }, v.vault),
                h("td", null, copyable(v.url, `rest-url-${v.vault}`, `the URL of ${v.vault}`)),
                h("td", null, v.practiceThrottling ? h("span", { class: "badge days-warn" }, "On") : "Off"),
              ),
            ),
            "No vaults yet.",
          )
        : h("p", { class: "muted" }, "Start the server to serve every vault at https://<vault>.localhost:<port>."),
      h("h3", null, "Connect a client"),
      h("dl", { class: "props" }, facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)])),
      h("div", { class: "actions" }, exportCa),
      howTo(s),
      clientSetup(),
    );
  }

  void reload();
  return h(
    "section",
    { class: "page", "aria-labelledby": "page-title" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title" }, "REST API"), h("p", { class: "muted" }, "Key Vault's data-plane API over HTTPS on this machine, for the Azure SDKs")),
    body,
  );
}

/** A short how-to with this installation's values filled in. */
function howTo(s: RestApiStatus): HTMLElement {
  const port = s.port;
  const python = [
    "from azure.identity import ClientSecretCredential",
    "from azure.keyvault.secrets import SecretClient",
    "",
    `credential = ClientSecretCredential("${s.tenantId}", "${s.clientId}", secret,`,
    `    authority="https://localhost:${port}", disable_instance_discovery=True)`,
    `client = SecretClient("https://<vault>.localhost:${port}", credential)`,
    'print(client.get_secret("db-password").value)',
  ].join("\n");
  return h(
    "section",
    { class: "howto", "aria-label": "How to connect" },
    h("h3", null, "How to use it"),
    h(
      "ol",
      null,
      h("li", null, "Export the CA certificate and trust it: ", h("code", null, "export REQUESTS_CA_BUNDLE=vaultmort-root.pem SSL_CERT_FILE=vaultmort-root.pem"), " (or the client's own setting, e.g. ", h("code", null, "connection_verify="), ")."),
      h(
        "li",
        null,
        "Make ",
        h("code", null, "<vault>.localhost"),
        " reach this machine: browsers and systemd-resolved do that already; otherwise add ",
        h("code", null, "127.0.0.1 <vault>.localhost"),
        " to /etc/hosts.",
      ),
      h("li", null, "Get a token with the local owner's client id and secret (or a Directory application's) and call the vault, in Python:"),
    ),
    h("pre", { class: "code-sample", "data-testid": "rest-howto-python" }, python),
    h("p", { class: "muted" }, "A vault's practice throttling (Overview tab) makes the server answer 429 with Retry-After past Key Vault's service limits, to practise retry logic."),
  );
}

/** The block's text in a `<pre>` with a Copy button. */
function copyableBlock(text: string, testid: string, label: string): HTMLElement {
  return h(
    "div",
    { class: "code-block" },
    h("pre", { class: "code-sample", "data-testid": testid }, text),
    button("Copy", { class: "small", "data-testid": `${testid}-copy`, "aria-label": `Copy ${label}` }, () => {
      void copyText(text).then(() => notify(`Copied ${label}.`));
    }),
  );
}

/**
 * "Set up a client": the plan of `vaultmort setup-client`, an application to choose for the
 * .env file, and a button that writes the .env (0600) and the CA files to a chosen place.
 */
function clientSetup(): HTMLElement {
  const section = h("section", { class: "client-setup", "aria-label": "Set up a client", "data-testid": "client-setup" });
  const planArea = h("div", { "aria-live": "polite" });
  const open = button("Set up a client…", { "data-testid": "client-setup-open" }, (b) => {
    void busy(b, "Reading…", () => host.clientSetupPlan(null, null)).then((plan) => {
      if (plan !== undefined) replace(planArea, showPlan(plan));
    });
  });
  replace(
    section,
    h("h3", null, "Set up a client"),
    h("p", { class: "muted" }, "What a machine needs to reach this server: the practice root trusted, a CA file for runtimes with their own CA list, host names, and a .env file with an application's credentials."),
    h("div", { class: "actions" }, open),
    planArea,
  );
  return section;
}

function showPlan(plan: ClientSetupPlan): HTMLElement {
  const result = h("div", { "aria-live": "polite", "data-testid": "client-setup-result" });
  const choice = h(
    "select",
    { "data-testid": "client-setup-application" },
    h("option", { value: "" }, plan.applications.length === 0 ? "No applications yet (Access → Directory)" : "Choose an application…"),
    ...plan.applications.map((a) => h("option", { value: a.clientId }, `${a.displayName} (${a.clientId})`)),
  );
  const blocks = h("div", null, planBlocks(plan));
  choice.addEventListener("change", () => {
    const application = choice.value === "" ? null : choice.value;
    void busy(write, "Reading…", () => host.clientSetupPlan(application, null)).then((next) => {
      if (next !== undefined) replace(blocks, planBlocks(next));
    });
  });
  const write = button("Write .env and CA file…", { class: "primary", "data-testid": "client-setup-write" }, (b) => {
    const application = choice.value === "" ? null : choice.value;
    void busy(b, "Writing…", async () => {
      const path = await host.pickSavePath(".env.vaultmort", [{ name: "Environment file", extensions: ["env", "vaultmort"] }]);
      return path === null ? null : host.writeClientFiles(application, path);
    }).then((steps) => {
      if (steps === undefined || steps === null) return;
      replace(
        result,
        h(
          "ul",
          null,
          steps.map((step) =>
            h("li", { "data-testid": `client-setup-step-${step.step}` }, `${step.step === "envFile" ? ".env file" : "CA file"}: ${step.status}`, step.detail === null ? "" : ` (${step.detail})`, step.files.length === 0 ? "" : h("span", null, " ", h("code", null, step.files.join(", ")))),
          ),
        ),
      );
      notify("Client files written: the .env file is readable by you alone.");
    });
  });
  return h(
    "div",
    { "data-testid": "client-setup-plan" },
    h("div", { class: "row" }, field("Application for the .env file", choice, "it gets a new client secret, written into the file only"), h("div", { class: "actions" }, write)),
    result,
    h(
      "p",
      { class: "callout" },
      "Trusting the root system-wide and the /etc/hosts lines need root: run ",
      copyable(plan.systemCommand, "client-setup-sudo", "the command"),
      " in a terminal, or the blocks marked “needs root” by hand. ",
      h("code", null, "vaultmort setup-client --remove"),
      " undoes it.",
    ),
    blocks,
  );
}

function planBlocks(plan: ClientSetupPlan): HTMLElement {
  return h(
    "div",
    null,
    plan.blocks.map((block) =>
      h(
        "div",
        { "data-testid": `client-setup-block-${block.step}` },
        h("h4", null, block.title, block.needsRoot ? h("span", { class: "badge days-warn" }, " needs root") : ""),
        copyableBlock(block.text, `client-setup-text-${block.step}`, block.title),
      ),
    ),
  );
}
