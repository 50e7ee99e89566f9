// "Expiring soon": keys, secrets and certificates of every vault that expire within a window the
// user sets (expiringSoon(days)), soonest first, coloured by days left.

import { h } from "../dom";
import { host } from "../host";
import { href } from "../route";
import { busy, daysLeftBadge, field, formatDate, load, table } from "../ui";

const KIND_TAB = { key: "keys", secret: "secrets", certificate: "certificates" } as const;

export function expiringView(): HTMLElement {
  const days = h("input", { type: "number", min: 1, max: 3650, step: 1, value: 30, "data-testid": "expiring-days" });
  const refresh = h("button", { type: "submit", class: "primary", "data-testid": "expiring-refresh" }, "Apply");
  const list = h("div", { "data-testid": "expiring-list" });

  const reload = () =>
    load(list, () => host.expiringSoon(Math.max(1, Math.floor(Number(days.value) || 30))), (items) =>
      table(
        ["Days left", "Name", "Type", "Vault", "Expires"],
        [...items]
          .sort((a, b) => a.daysLeft - b.daysLeft)
          .map((x) =>
            h(
              "tr",
              { "data-testid": `expiring-row-${x.vault}-${x.name}` },
              h("td", null, daysLeftBadge(x.daysLeft)),
              h("th", { scope: "row" }, h("a", { href: href({ page: "vault", vault: x.vault, tab: KIND_TAB[x.kind] }) }, x.name)),
              h("td", { class: "cap" }, x.kind),
              h("td", null, x.vault),
              h("td", { class: "date" }, formatDate(x.expires)),
            ),
          ),
        "Nothing expires in this window.",
      ),
    );

  const form = h(
    "form",
    { class: "toolbar filter", novalidate: true, "aria-label": "Expiry window" },
    field("Expiring within (days)", days),
    refresh,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(refresh, "Loading…", reload);
  });
  void reload();

  return h(
    "section",
    { class: "page", "aria-labelledby": "page-title" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title" }, "Expiring soon"), h("p", { class: "muted" }, "Keys, secrets and certificates across all vaults")),
    form,
    h(
      "p",
      { class: "legend muted" },
      "Colours: ",
      h("span", { class: "badge days-expired" }, "expired"),
      h("span", { class: "badge days-critical" }, "under 7 days"),
      h("span", { class: "badge days-warn" }, "under 30 days"),
      h("span", { class: "badge days-ok" }, "later"),
    ),
    list,
  );
}
