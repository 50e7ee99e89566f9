// A vault's Overview tab: its properties ("Essentials" in the portal).

import { h } from "../dom";
import type { VaultView } from "../host";
import { formatDate, yesNo } from "../ui";

export function overviewPanel(v: VaultView): HTMLElement {
  const rows: [string, string | Node][] = [
    ["Resource group", v.resourceGroup],
    ["Location", v.location],
    ["Vault URI", h("code", { "data-testid": "overview-uri" }, v.vaultUri)],
    ["Pricing tier", v.sku === "premium" ? "Premium" : "Standard"],
    ["Soft-delete retention", `${v.retentionDays} days`],
    ["Purge protection", yesNo(v.purgeProtection)],
    ["Permission model", v.rbacAuthorization ? "Azure role-based access control" : "Vault access policy"],
    ["Created", formatDate(v.created)],
  ];
  return h(
    "section",
    { class: "essentials", "aria-label": "Essentials" },
    h("h2", { class: "section-title" }, "Essentials"),
    h("dl", { class: "props", "data-testid": "overview-props" }, rows.map(([k, val]) => [h("dt", null, k), h("dd", null, val)])),
  );
}
