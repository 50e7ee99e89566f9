// The left navigation: home, create, expiring soon, the contacts' outbox, the directory, the
// access log, the REST API, the HSM and App Services, then resource groups
// with their vaults.
// `refresh()` reloads the tree (after a vault or group is created); `select()` marks the current page.

import { h, replace } from "../dom";
import { type GroupView, host, type VaultView } from "../host";
import { href, type Route } from "../route";
import { showError } from "../ui";

export type Nav = { element: HTMLElement; refresh(): Promise<void>; select(route: Route): void };

/** Vaults grouped by resource group, groups (also empty ones) sorted by name. */
export function groupVaults(groups: readonly GroupView[], vaults: readonly VaultView[]): Map<string, VaultView[]> {
  const byGroup = new Map<string, VaultView[]>();
  for (const g of [...groups].sort((a, b) => a.name.localeCompare(b.name))) byGroup.set(g.name, []);
  for (const v of [...vaults].sort((a, b) => a.name.localeCompare(b.name))) {
    const list = byGroup.get(v.resourceGroup);
    if (list) list.push(v);
    else byGroup.set(v.resourceGroup, [v]);
  }
  return byGroup;
}

export function navView(): Nav {
  const tree = h("div", { class: "nav-tree" });
  const element = h(
    "nav",
    { class: "sidebar", "aria-label": "Main" },
    h(
      "ul",
      { class: "nav-top" },
      h("li", null, h("a", { href: href({ page: "vaults" }), "data-testid": "nav-vaults", "data-page": "vaults" }, h("span", { class: "nav-icon icon-home", "aria-hidden": "true" }), "All key vaults")),
      h("li", null, h("a", { href: href({ page: "create-vault" }), "data-testid": "nav-create-vault", "data-page": "create-vault" }, h("span", { class: "nav-icon icon-plus", "aria-hidden": "true" }), "Create a key vault")),
      h("li", null, h("a", { href: href({ page: "expiring" }), "data-testid": "nav-expiring", "data-page": "expiring" }, h("span", { class: "nav-icon icon-clock", "aria-hidden": "true" }), "Expiring soon")),
      h("li", null, h("a", { href: href({ page: "outbox" }), "data-testid": "nav-outbox", "data-page": "outbox" }, h("span", { class: "nav-icon icon-outbox", "aria-hidden": "true" }), "Outbox")),
      h("li", null, h("a", { href: href({ page: "directory" }), "data-testid": "nav-directory", "data-page": "directory" }, h("span", { class: "nav-icon icon-group", "aria-hidden": "true" }), "Directory")),
      h("li", null, h("a", { href: href({ page: "access-log" }), "data-testid": "nav-access-log", "data-page": "access-log" }, h("span", { class: "nav-icon icon-clock", "aria-hidden": "true" }), "Access log")),
      h("li", null, h("a", { href: href({ page: "rest-api" }), "data-testid": "nav-rest-api", "data-page": "rest-api" }, h("span", { class: "nav-icon icon-home", "aria-hidden": "true" }), "REST API")),
      h("li", null, h("a", { href: href({ page: "hsm" }), "data-testid": "nav-hsm", "data-page": "hsm" }, h("span", { class: "nav-icon icon-vault", "aria-hidden": "true" }), "HSM")),
      h("li", null, h("a", { href: href({ page: "app-services" }), "data-testid": "nav-app-services", "data-page": "app-services" }, h("span", { class: "nav-icon icon-home", "aria-hidden": "true" }), "App Services")),
    ),
    h("h2", { class: "nav-heading", id: "nav-groups-heading" }, "Resource groups"),
    tree,
  );
  let current: Route = { page: "vaults" };

  function mark(): void {
    for (const a of element.querySelectorAll<HTMLAnchorElement>("a")) {
      const page = a.dataset.page;
      const on =
        (page !== undefined && page === current.page) ||
        (current.page === "vault" && a.dataset.vault === current.vault);
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
  }

  async function refresh(): Promise<void> {
    try {
      const [groups, vaults] = await Promise.all([host.listGroups(), host.listVaults()]);
      const byGroup = groupVaults(groups, vaults);
      replace(
        tree,
        byGroup.size === 0
          ? h("p", { class: "nav-empty" }, "No resource groups yet.")
          : h(
              "ul",
              { class: "groups", "aria-labelledby": "nav-groups-heading" },
              [...byGroup].map(([group, list]) =>
                h(
                  "li",
                  { class: "group" },
                  h("span", { class: "group-name", "data-testid": `nav-group-${group}` }, h("span", { class: "nav-icon icon-group", "aria-hidden": "true" }), group),
                  list.length === 0
                    ? h("p", { class: "nav-empty" }, "No vaults")
                    : h(
                        "ul",
                        { class: "vaults" },
                        list.map((v) =>
                          h(
                            "li",
                            null,
                            h(
                              "a",
                              { href: href({ page: "vault", vault: v.name, tab: "overview" }), "data-testid": `vault-link-${v.name}`, "data-vault": v.name },
                              h("span", { class: "nav-icon icon-vault", "aria-hidden": "true" }),
                              v.name,
                            ),
                          ),
                        ),
                      ),
                ),
              ),
            ),
      );
      mark();
    } catch (e) {
      showError(e);
    }
  }

  return {
    element,
    refresh,
    select(route) {
      current = route;
      mark();
    },
  };
}
