// A vault's "Networking": the firewall of its data plane. Public network access, the default
// action, the trusted-services bypass, and the IP (address or CIDR) and virtual network rules.
// Management operations are not subject to it, as in Azure.

import { h, replace } from "../dom";
import { host, HostError, type NetworkView } from "../host";
import { busy, button, field, load, notify, table } from "../ui";

export function networkingPanel(vault: string): HTMLElement {
  const body = h("div", { "data-testid": "network-config" });
  const reload = () => load(body, () => host.networkRules(vault), (n) => render(n));

  function render(n: NetworkView): HTMLElement {
    const option = (value: string, label: string, current: string) => h("option", { value, selected: value === current }, label);
    const publicAccess = h("select", { "data-testid": "network-public" }, option("Enabled", "Enabled", n.publicNetworkAccess), option("Disabled", "Disabled", n.publicNetworkAccess));
    const defaultAction = h(
      "select",
      { "data-testid": "network-default-action" },
      option("Allow", "Allow public access from all networks", n.defaultAction),
      option("Deny", "Allow public access from specific networks only", n.defaultAction),
    );
    const bypass = h(
      "select",
      { "data-testid": "network-bypass" },
      option("AzureServices", "Allow trusted Microsoft services to bypass this firewall", n.bypass),
      option("None", "No bypass", n.bypass),
    );
    const save = button("Save", { class: "primary", "data-testid": "network-save" }, (b) => {
      void busy(b, "Saving…", () => host.updateNetwork(vault, publicAccess.value, defaultAction.value, bypass.value)).then((saved) => {
        if (saved === undefined) return;
        notify("Firewall settings saved.");
        replace(body, render(saved));
      });
    });
    const rule = h("input", { type: "text", "data-testid": "network-rule", placeholder: "203.0.113.7 or 198.51.100.0/24", autocomplete: "off", spellcheck: "false" });
    const isSubnet = h("input", { type: "checkbox", "data-testid": "network-rule-subnet" });
    const add = button("Add", { "data-testid": "network-rule-add" }, (b) => {
      void busy(b, "Adding…", async () => {
        if (rule.value.trim() === "") throw new HostError("BadParameter", "Enter an IPv4 address, a CIDR range or a subnet id.");
        return host.changeNetworkRule(vault, rule.value.trim(), isSubnet.checked, true);
      }).then((saved) => saved && replace(body, render(saved)));
    });
    const rows = [...n.ipRules.map((r) => [r, false] as const), ...n.virtualNetworkRules.map((r) => [r, true] as const)];
    return h(
      "div",
      null,
      h("div", { class: "row" }, field("Public network access", publicAccess), field("Allow access from", defaultAction), field("Exception", bypass)),
      h("div", { class: "actions" }, save),
      h("h3", null, "Firewall rules"),
      table(
        ["Rule", "Kind", ""],
        rows.map(([r, subnet]) =>
          h(
            "tr",
            { "data-testid": `network-rule-row-${r}` },
            h("th", { scope: "row" }, h("code", null, r)),
            h("td", null, subnet ? "Virtual network" : "IP address or range"),
            h(
              "td",
              { class: "row-actions" },
              button("Remove", { class: "small danger", "data-testid": `network-rule-remove-${r}` }, (b) => {
                void busy(b, "Removing…", () => host.changeNetworkRule(vault, r, subnet, false)).then((saved) => saved && replace(body, render(saved)));
              }),
            ),
          ),
        ),
        "No rules. With “specific networks only”, every data-plane request is then refused.",
      ),
      h("div", { class: "row" }, field("Address, range or subnet id", rule), h("label", { class: "perm" }, isSubnet, " a subnet id"), h("div", { class: "actions" }, add)),
      h("p", { class: "muted" }, "The desktop app and the CLI call from 127.0.0.1 (the CLI's --source-ip lets you practise other addresses); the REST API uses the client's address."),
    );
  }

  void reload();
  return body;
}
