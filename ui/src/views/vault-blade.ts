// One vault's blade: a header, a tab strip (Overview, Keys, Secrets, Certificates, Deleted
// objects) and the selected tab's panel. Tabs follow the WAI-ARIA tabs pattern: Left/Right/Home/End
// move between them, Tab leaves the strip into the panel. Each tab reloads its data when shown.

import { h, replace } from "../dom";
import { host, HostError, type ObjectKindName, type VaultView } from "../host";
import { go, href, TAB_LABELS, type Tab, TABS } from "../route";
import { load } from "../ui";
import { accessPanel } from "./access";
import { certificatesPanel } from "./certificates";
import { iamPanel } from "./iam";
import { networkingPanel } from "./networking";
import { deletedPanel } from "./deleted";
import { keysPanel } from "./keys";
import { overviewPanel } from "./overview";
import { secretsPanel } from "./secrets";

/** `kind`: which deleted objects the Deleted objects tab lists (it remembers the last choice). */
export type Blade = { vault: string; element: HTMLElement; show(tab: Tab, kind?: ObjectKindName): void };

export function vaultBlade(vaultName: string, initialTab: Tab, initialKind?: ObjectKindName): Blade {
  let vault: VaultView | null = null;
  let current: Tab = initialTab;
  let deletedKind: ObjectKindName = initialKind ?? "key";
  const panel = h("div", { class: "tab-panel", role: "tabpanel", tabindex: 0, "data-testid": "tab-panel" });
  const subtitle = h("p", { class: "muted" }, "Key vault");
  const crumbs = h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("a", { href: href({ page: "vaults" }) }, "Key vaults"), " › ", vaultName);

  const tabs = TABS.map((tab) => {
    const b = h(
      "button",
      { type: "button", role: "tab", id: `tab-${tab}`, "aria-controls": "vault-tab-panel", "data-testid": `tab-${tab}` },
      TAB_LABELS[tab],
    );
    b.addEventListener("click", () => go({ page: "vault", vault: vaultName, tab }));
    return b;
  });
  panel.id = "vault-tab-panel";
  const strip = h("div", { class: "tabs", role: "tablist", "aria-label": `${vaultName} sections` }, tabs);
  strip.addEventListener("keydown", (ev) => {
    const i = TABS.indexOf(current);
    const last = TABS.length - 1;
    const next = ev.key === "ArrowRight" ? (i + 1) % TABS.length : ev.key === "ArrowLeft" ? (i + last) % TABS.length : ev.key === "Home" ? 0 : ev.key === "End" ? last : -1;
    const tab = TABS[next];
    if (tab === undefined) return;
    ev.preventDefault();
    tabs[next]?.focus();
    go({ page: "vault", vault: vaultName, tab });
  });

  function renderPanel(): void {
    tabs.forEach((b, i) => {
      const on = TABS[i] === current;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
    });
    panel.setAttribute("aria-labelledby", `tab-${current}`);
    if (vault === null) return;
    const v = vault;
    switch (current) {
      case "overview":
        replace(panel, overviewPanel(v));
        break;
      case "keys":
        replace(panel, keysPanel(v));
        break;
      case "secrets":
        replace(panel, secretsPanel(v.name, () => go({ page: "vault", vault: v.name, tab: "deleted", kind: "secret" })));
        break;
      case "certificates":
        replace(panel, certificatesPanel(v.name));
        break;
      case "access":
        replace(panel, accessPanel(v));
        break;
      case "iam":
        replace(panel, iamPanel(v));
        break;
      case "networking":
        replace(panel, networkingPanel(v.name));
        break;
      case "deleted":
        replace(
          panel,
          deletedPanel(v, deletedKind, (kind) => {
            deletedKind = kind;
            // Keeps the URL in step (reload, Back) without a hashchange that would rebuild the panel.
            history.replaceState(null, "", href({ page: "vault", vault: v.name, tab: "deleted", kind }));
          }),
        );
        break;
    }
  }

  const element = h(
    "section",
    { class: "page blade", "data-testid": `vault-blade-${vaultName}` },
    crumbs,
    h(
      "header",
      { class: "page-header blade-header" },
      h("span", { class: "blade-icon icon-vault", "aria-hidden": "true" }),
      h("div", null, h("h1", { id: "page-title" }, vaultName), subtitle),
    ),
    strip,
    panel,
  );

  void load(
    panel,
    async () => {
      const found = (await host.listVaults()).find((v) => v.name === vaultName);
      if (!found) throw new HostError("VaultNotFound", `Vault '${vaultName}' was not found.`);
      return found;
    },
    (v) => {
      vault = v;
      subtitle.textContent = `Key vault · ${v.resourceGroup} · ${v.location}`;
      return null;
    },
  ).then(renderPanel);
  renderPanel();

  return {
    vault: vaultName,
    element,
    show(tab, kind) {
      current = tab;
      if (kind) deletedKind = kind;
      renderPanel();
    },
  };
}
