// Entry point: asks the backend whether the store is open, shows the unlock screen if not, then
// the portal shell (top bar, left navigation, alert region, routed page). Routing is by URL hash;
// switching tabs within one vault keeps the blade and only swaps its panel.

import { h, replace } from "./dom";
import { host, type SessionStatus } from "./host";
import { parseRoute, type Route } from "./route";
import { alertRegion, clearAlert, showError, statusRegion } from "./ui";
import { createVaultView } from "./views/create-vault";
import { accessLogView } from "./views/access-log";
import { appServicesView } from "./views/app-services";
import { directoryView } from "./views/directory";
import { expiringView } from "./views/expiring";
import { hsmView } from "./views/hsm";
import { signedInSwitcher } from "./views/signed-in";
import { navView } from "./views/nav";
import { outboxView } from "./views/outbox";
import { restApiView } from "./views/rest-api";
import { unlockView } from "./views/unlock";
import { type Blade, vaultBlade } from "./views/vault-blade";
import { vaultListView } from "./views/vault-list";

const root = document.getElementById("app") ?? document.body;

function portal(status: SessionStatus): void {
  const nav = navView();
  const content = h("div", { class: "content", id: "content", tabindex: -1 });
  let blade: Blade | null = null;

  const shell = h(
    "div",
    { class: "shell" },
    h("a", { class: "skip-link", href: "#content", onclick: (ev) => (ev.preventDefault(), content.focus()) }, "Skip to content"),
    h(
      "header",
      { class: "topbar" },
      h("span", { class: "brand" }, h("span", { class: "brand-mark small", "aria-hidden": "true" }, "V"), "Vaultmort"),
      h("span", { class: "topbar-note" }, "Offline Azure Key Vault"),
      h("span", { class: "spacer" }),
      signedInSwitcher(() => render(parseRoute(location.hash), true)),
      h("span", { class: "topbar-note home", title: "Vaultmort home" }, status.home),
    ),
    nav.element,
    h("main", { class: "main" }, alertRegion, statusRegion, content),
  );
  replace(root, shell);

  /** Shows `route`; `fresh` rebuilds the page even when only the tab changed (after a sign-in). */
  function render(route: Route, fresh = false): void {
    nav.select(route);
    if (!fresh && route.page === "vault" && blade !== null && blade.vault === route.vault) {
      blade.show(route.tab, route.kind);
      return;
    }
    clearAlert();
    blade = null;
    switch (route.page) {
      case "vaults":
        replace(content, vaultListView());
        break;
      case "create-vault":
        replace(content, createVaultView(route.group, () => nav.refresh()));
        break;
      case "expiring":
        replace(content, expiringView());
        break;
      case "outbox":
        replace(content, outboxView());
        break;
      case "directory":
        replace(content, directoryView());
        break;
      case "access-log":
        replace(content, accessLogView());
        break;
      case "rest-api":
        replace(content, restApiView());
        break;
      case "hsm":
        replace(content, hsmView());
        break;
      case "app-services":
        replace(content, appServicesView());
        break;
      case "vault":
        blade = vaultBlade(route.vault, route.tab, route.kind);
        replace(content, blade.element);
        break;
    }
  }

  window.addEventListener("hashchange", () => render(parseRoute(location.hash)));
  void nav.refresh();
  render(parseRoute(location.hash));
}

/** Tells the backend when the first view is painted and can take input (the start-up benchmark). */
function reportFirstView(view: string): void {
  requestAnimationFrame(() => requestAnimationFrame(() => void host.uiReady(view).catch(() => undefined)));
}

async function start(): Promise<void> {
  try {
    const status = await host.sessionStatus();
    if (status.unlocked) portal(status);
    else replace(root, unlockView(status, portal));
    reportFirstView(status.unlocked ? "portal" : "unlock");
  } catch (e) {
    replace(root, h("main", { class: "unlock" }, h("section", { class: "unlock-card" }, h("h1", null, "Vaultmort could not start"), alertRegion)));
    showError(e);
  }
}

void start();
