// A vault's Overview tab: its properties ("Essentials" in the portal), and the switch for the
// vault's practice throttling (the REST API answers 429 past Key Vault's service limits).

import { h } from "../dom";
import { host, type VaultView } from "../host";
import { busy, formatDate, notify, yesNo } from "../ui";

/** The practice-throttling switch: a vault update through the backend (authorized, audited). */
function throttlingSwitch(v: VaultView): HTMLElement {
  const box = h("input", { type: "checkbox", role: "switch", "data-testid": "overview-throttling", checked: v.practiceThrottling });
  const state = h("span", { "data-testid": "overview-throttling-state" }, v.practiceThrottling ? "On" : "Off");
  // `busy` wants a button to mark; the switch itself is disabled meanwhile.
  const marker = h("button", { type: "button", hidden: true });
  box.addEventListener("change", () => {
    const wanted = box.checked;
    box.disabled = true;
    void busy(marker, "Saving…", () => host.setPracticeThrottling(v.name, wanted))
      .then((saved) => {
        const on = saved?.practiceThrottling ?? !wanted;
        v.practiceThrottling = on;
        box.checked = on;
        state.textContent = on ? "On" : "Off";
        if (saved) notify(on ? `Practice throttling is on for ${v.name}.` : `Practice throttling is off for ${v.name}.`);
      })
      .finally(() => (box.disabled = false));
  });
  return h(
    "span",
    null,
    h("label", { class: "perm" }, box, " ", state),
    marker,
    h("span", { class: "muted" }, " · the REST API answers 429 with Retry-After past Key Vault's limits (20 key creations, 300 secret writes, 4,000 other requests per 10 s)"),
  );
}

export function overviewPanel(v: VaultView): HTMLElement {
  const rows: [string, string | Node][] = [
    ["Resource group", v.resourceGroup],
    ["Location", v.location],
    ["Vault URI", h("code", { "data-testid": "overview-uri" }, v.vaultUri)],
    ["Pricing tier", v.sku === "premium" ? "Premium" : "Standard"],
    ["Soft-delete retention", `${v.retentionDays} days`],
    ["Purge protection", yesNo(v.purgeProtection)],
    ["Permission model", v.rbacAuthorization ? "Azure role-based access control" : "Vault access policy"],
    ["Practice throttling", throttlingSwitch(v)],
    ["Created", formatDate(v.created)],
  ];
  return h(
    "section",
    { class: "essentials", "aria-label": "Essentials" },
    h("h2", { class: "section-title" }, "Essentials"),
    h("dl", { class: "props", "data-testid": "overview-props" }, rows.map(([k, val]) => [h("dt", null, k), h("dd", null, val)])),
  );
}
