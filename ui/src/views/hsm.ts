// The HSM page: the PKCS#11 token that holds this home's HSM-protected keys (RSA-HSM, EC-HSM).
// Mode (Vaultmort's own SoftHSM "practice" token, a configured "module", or "not set up" until the
// first HSM key makes the practice token), the module and library, the token's label, serial,
// model and slot, its PIN state, the mechanisms it offers, and its key objects with the flags
// that keep them in: sensitive, not extractable. "Configure module" switches to any PKCS#11
// module (a real HSM, a YubiHSM, another SoftHSM token); the backend logs into the token first,
// so a wrong path, token or PIN changes nothing.
//
// Left out: the PIN itself (never shown) and any way to read a key out (the token refuses).

import { h, replace } from "../dom";
import { host, HostError, type HsmStatusView, type TokenObjectView, type TokenView } from "../host";
import { busy, button, field, load, notify, table, yesNo } from "../ui";

/** What the mode means, in words. */
function modeText(mode: string): string {
  switch (mode) {
    case "practice":
      return "Practice: Vaultmort's own SoftHSM2 token in this home";
    case "module":
      return "Module: a PKCS#11 module configured here";
    default:
      return "Not set up: the practice token is made with the first HSM key (a Premium vault's RSA-HSM or EC-HSM key)";
  }
}

export function hsmView(): HTMLElement {
  const body = h("div", { "data-testid": "hsm-status" });
  const formSlot = h("div");
  const reload = () => load(body, () => host.hsmStatus(), (s) => render(s));

  function render(s: HsmStatusView): HTMLElement {
    return h(
      "div",
      null,
      h("dl", { class: "props" }, h("dt", null, "Mode"), h("dd", { "data-testid": "hsm-mode", "data-mode": s.mode }, modeText(s.mode))),
      s.token === null ? h("p", { class: "muted", "data-testid": "hsm-no-token" }, "There is no token yet, so nothing to show.") : tokenDetails(s.token),
    );
  }

  function openForm(): void {
    const path = h("input", { type: "text", "data-testid": "hsm-module-path", spellcheck: "false", autocomplete: "off", placeholder: "/usr/lib/softhsm/libsofthsm2.so" });
    const by = h("select", { "data-testid": "hsm-token-by" }, h("option", { value: "label" }, "Token label"), h("option", { value: "slot" }, "Slot id"));
    const token = h("input", { type: "text", "data-testid": "hsm-token", spellcheck: "false", autocomplete: "off" });
    const pin = h("input", { type: "password", "data-testid": "hsm-pin", autocomplete: "off" });
    const submit = h("button", { type: "submit", class: "primary", "data-testid": "hsm-configure-submit" }, "Use this module");
    const form = h(
      "form",
      { class: "inline-form", novalidate: true, "aria-label": "Configure a PKCS#11 module" },
      h("h3", null, "Configure module"),
      h("p", { class: "note warn" }, "HSM keys made in the current token stay there and stop working until it is configured again."),
      field("Module path", path, "The PKCS#11 shared library of the HSM, a YubiHSM or SoftHSM."),
      h("div", { class: "row" }, field("Find the token by", by), field("Label or slot", token)),
      field("User PIN", pin, "Kept sealed in the store like a secret; never shown again."),
      h("div", { class: "actions" }, submit, h("button", { type: "button", "data-testid": "hsm-configure-cancel", onclick: () => replace(formSlot) }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(submit, "Opening the token…", () => {
        if (token.value.trim() === "") throw new HostError("BadParameter", "Enter the token's label or slot id.");
        const byLabel = by.value === "label";
        return host.configureHsm({ path: path.value, tokenLabel: byLabel ? token.value : null, slot: byLabel ? null : token.value, pin: pin.value });
      }).then((s) => {
        pin.value = "";
        if (s === undefined) return;
        notify(`The HSM is now ${s.token?.label ?? "the module"} (${s.token?.model ?? s.mode}).`);
        replace(formSlot);
        replace(body, render(s));
      });
    });
    replace(formSlot, form);
    path.focus();
  }

  void reload();
  return h(
    "section",
    { class: "page", "aria-labelledby": "page-title" },
    h(
      "header",
      { class: "page-header" },
      h("h1", { id: "page-title" }, "HSM"),
      h("p", { class: "muted" }, "The PKCS#11 token that holds HSM-protected keys. Their private halves are made in it and never leave it."),
    ),
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "HSM actions" },
      button("↻ Refresh", { "data-testid": "hsm-refresh" }, (b) => void busy(b, "Loading…", reload)),
      button("Configure module", { "data-testid": "hsm-configure-open" }, () => openForm()),
    ),
    formSlot,
    body,
  );
}

function tokenDetails(t: TokenView): HTMLElement {
  const facts: [string, string, string][] = [
    ["Module", t.module, "hsm-module"],
    ["Library", t.library, "hsm-library"],
    ["Token label", t.label, "hsm-label"],
    ["Serial", t.serial, "hsm-serial"],
    ["Model", t.model, "hsm-model"],
    ["Slot", t.slot, "hsm-slot"],
    ["PIN state", t.pinState, "hsm-pin-state"],
  ];
  return h(
    "div",
    null,
    h("dl", { class: "props compact" }, facts.map(([k, v, id]) => [h("dt", null, k), h("dd", { "data-testid": id }, v)])),
    h("h3", null, `Key objects (${t.objects.length})`),
    table(
      ["Label", "Type", "Sensitive", "Extractable", "Role"],
      t.objects.map((o: TokenObjectView) =>
        h(
          "tr",
          { "data-testid": `hsm-object-${o.label}` },
          h("th", { scope: "row" }, h("code", null, o.label)),
          h("td", null, `${o.keyType} ${o.class}`),
          h("td", { "data-testid": `hsm-object-${o.label}-sensitive` }, yesNo(o.sensitive)),
          h("td", { "data-testid": `hsm-object-${o.label}-extractable` }, yesNo(o.extractable)),
          h("td", null, o.role),
        ),
      ),
      "The token holds no key objects.",
    ),
    h(
      "details",
      { class: "mechanisms", "data-testid": "hsm-mechanisms" },
      h("summary", null, `Mechanisms (${t.mechanisms.length})`),
      h("p", { class: "mono wrap" }, t.mechanisms.join(", ")),
    ),
  );
}
