// The contacts' outbox, across all vaults: what the EmailContacts lifetime action "sent" to a
// vault's certificate contacts (listOutbox(null)), newest first. No mail leaves the machine; this
// page is where it lands. Left out: composing or resending mail.

import { h } from "../dom";
import { type EventView, host } from "../host";
import { href } from "../route";
import { busy, button, formatDate, load, pagedTable } from "../ui";

export function outboxView(): HTMLElement {
  const list = h("div", { "data-testid": "outbox-list" });
  const reload = () =>
    load(list, () => host.listOutbox(null), (items) =>
      pagedTable<EventView>({
        testid: "outbox-table",
        items: [...items].sort((a, b) => b.sequence - a.sequence),
        text: (m) => `${m.vault} ${m.to.join(" ")} ${m.summary}`,
        headers: ["Time", "Vault", "To", "Subject"],
        empty: "The outbox is empty. Certificates whose policy has an EmailContacts lifetime action write here when it fires.",
        row: (m) =>
          h(
            "tr",
            { "data-testid": `outbox-row-${m.sequence}` },
            h("td", { class: "date" }, formatDate(m.time)),
            h("td", null, h("a", { href: href({ page: "vault", vault: m.vault, tab: "certificates" }) }, m.vault)),
            h("td", null, m.to.length === 0 ? "—" : m.to.join(", ")),
            h("th", { scope: "row" }, m.summary),
          ),
      }),
    );
  void reload();
  return h(
    "section",
    { class: "page", "aria-labelledby": "page-title" },
    h(
      "header",
      { class: "page-header" },
      h("h1", { id: "page-title" }, "Outbox"),
      h("p", { class: "muted" }, "Notifications to certificate contacts, across all vaults. No mail leaves this machine."),
    ),
    h("div", { class: "toolbar", role: "toolbar", "aria-label": "Outbox actions" }, button("↻ Refresh", { "data-testid": "outbox-refresh" }, (b) => void busy(b, "Loading…", reload))),
    list,
  );
}
