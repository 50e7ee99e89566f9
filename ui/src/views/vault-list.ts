// "Key vaults": every vault, grouped by resource group, like the portal's list blade.

import { h } from "../dom";
import { host } from "../host";
import { go, href } from "../route";
import { button, load, yesNo } from "../ui";
import { groupVaults } from "./nav";

export function vaultListView(): HTMLElement {
  const body = h("div", { "data-testid": "vault-list" });
  const reload = () =>
    load(
      body,
      () => Promise.all([host.listGroups(), host.listVaults()]),
      ([groups, vaults]) => {
        const byGroup = groupVaults(groups, vaults);
        if (byGroup.size === 0) {
          return h(
            "div",
            { class: "empty-state" },
            h("h2", null, "No key vaults to display"),
            h("p", { class: "muted" }, "Create a key vault to store keys, secrets and certificates on this machine."),
            h("a", { class: "button primary", href: href({ page: "create-vault" }) }, "Create key vault"),
          );
        }
        const headers = ["Name", "Location", "Pricing tier", "Soft-delete retention", "Purge protection", "Vault URI"];
        return h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "grid grouped" },
            h("thead", null, h("tr", null, headers.map((x) => h("th", { scope: "col" }, x)))),
            [...byGroup].map(([group, list]) =>
              h(
                "tbody",
                { "data-testid": `vault-group-${group}` },
                h(
                  "tr",
                  { class: "group-row" },
                  h(
                    "th",
                    { scope: "colgroup", colspan: headers.length },
                    h("span", { class: "nav-icon icon-group", "aria-hidden": "true" }),
                    ` ${group} `,
                    h("span", { class: "muted count" }, `(${list.length} ${list.length === 1 ? "vault" : "vaults"})`),
                  ),
                ),
                list.length === 0
                  ? h("tr", null, h("td", { colspan: headers.length, class: "muted" }, "No vaults in this resource group."))
                  : list.map((v) =>
                      h(
                        "tr",
                        { "data-testid": `vault-row-${v.name}` },
                        h("td", { class: "nowrap" }, h("a", { href: href({ page: "vault", vault: v.name, tab: "overview" }) }, v.name)),
                        h("td", null, v.location),
                        h("td", { class: "cap" }, v.sku),
                        h("td", null, `${v.retentionDays} days`),
                        h("td", null, yesNo(v.purgeProtection)),
                        h("td", null, h("code", { class: "uri" }, v.vaultUri)),
                      ),
                    ),
              ),
            ),
          ),
        );
      },
    );
  void reload();

  return h(
    "section",
    { class: "page", "aria-labelledby": "page-title" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title" }, "Key vaults"), h("p", { class: "muted" }, "Offline Azure Key Vault on this machine")),
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Key vault actions" },
      button("+ Create", { class: "primary", "data-testid": "create-vault-open" }, () => go({ page: "create-vault" })),
      button("↻ Refresh", { "data-testid": "vaults-refresh" }, () => void reload()),
    ),
    body,
  );
}
