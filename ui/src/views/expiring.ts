// "Expiring soon": keys, secrets and certificates of every vault that expire within a window the
// user sets (expiringSoon(days)), in the backend's order (soonest first), coloured by days left;
// already expired ones can be hidden. Below them, a row per vault the signed-in principal may not
// read, with the refusal, as the portal says "You do not have access". The window and the "Hide
// expired" choice are remembered in localStorage.

import { h } from "../dom";
import { type ExpiringReportView, host, type UnreadableVaultView } from "../host";
import { href } from "../route";
import { busy, daysLeftBadge, field, formatDate, load, table } from "../ui";

const KIND_TAB = { key: "keys", secret: "secrets", certificate: "certificates" } as const;
const DAYS_KEY = "vaultmort.expiring.days";
const HIDE_KEY = "vaultmort.expiring.hideExpired";
const DEFAULT_DAYS = 30;

/** localStorage, or null where the page may not use it (then nothing is remembered). */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function windowDays(value: string): number {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) && n >= 1 ? Math.min(n, 3650) : DEFAULT_DAYS;
}

/** One row per vault the caller may not read: which kinds of object, and the refusals. */
function unreadableVaults(vaults: readonly UnreadableVaultView[]): HTMLElement | null {
  if (vaults.length === 0) return null;
  const rows = vaults.map((v) => {
    const kinds = v.refusals.map((r) => KIND_TAB[r.kind]).join(", ");
    // The refusals of one vault often say the same thing; each distinct message once.
    const messages = [...new Set(v.refusals.map((r) => r.error.message))];
    return h(
      "tr",
      { "data-testid": `expiring-unreadable-${v.vault}` },
      h("th", { scope: "row" }, v.vault),
      h("td", null, `You do not have access to the ${kinds} of this vault.`),
      h("td", null, messages.map((m) => h("p", { class: "muted" }, m))),
    );
  });
  return h(
    "div",
    { "data-testid": "expiring-unreadable" },
    h("h2", null, "Vaults you cannot read"),
    h("p", { class: "muted" }, "What expires in these vaults is not listed above."),
    table(["Vault", "Access", "Reason"], rows, ""),
  );
}

export function expiringView(): HTMLElement {
  const store = storage();
  const days = h("input", { type: "number", min: 1, max: 3650, step: 1, value: windowDays(store?.getItem(DAYS_KEY) ?? ""), "data-testid": "expiring-days" });
  const hideExpired = h("input", { type: "checkbox", "data-testid": "expiring-hide-expired", checked: store?.getItem(HIDE_KEY) === "true" });
  const refresh = h("button", { type: "submit", class: "primary", "data-testid": "expiring-refresh" }, "Apply");
  const list = h("div", { "data-testid": "expiring-list" });
  let last: ExpiringReportView = { items: [], unreadable: [] };

  const render = (report: ExpiringReportView) => {
    const items = report.items;
    const shown = hideExpired.checked ? items.filter((x) => x.daysLeft >= 0) : items;
    const hidden = items.length - shown.length;
    return [
      table(
        ["Days left", "Name", "Type", "Vault", "Expires"],
        shown.map((x) =>
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
        hidden > 0 ? "Nothing in this window has yet to expire." : "Nothing expires in this window.",
      ),
      hidden > 0 ? h("p", { class: "muted", "data-testid": "expiring-hidden-count" }, `${hidden} expired ${hidden === 1 ? "item is" : "items are"} hidden.`) : null,
      unreadableVaults(report.unreadable),
    ];
  };

  const reload = () => {
    const n = windowDays(days.value);
    days.value = String(n);
    store?.setItem(DAYS_KEY, String(n));
    return load(list, () => host.expiringSoon(n), (report) => ((last = report), render(report)));
  };

  hideExpired.addEventListener("change", () => {
    store?.setItem(HIDE_KEY, String(hideExpired.checked));
    // Hiding is a view of what was loaded: no round trip.
    void load(list, () => Promise.resolve(last), render);
  });

  const form = h(
    "form",
    { class: "toolbar filter", novalidate: true, "aria-label": "Expiry window" },
    field("Expiring within (days)", days),
    h("label", { class: "choice" }, hideExpired, "Hide expired"),
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
