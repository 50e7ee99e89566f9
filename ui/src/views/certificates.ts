// The Certificates tab: the vault's certificates with days to expiry, and a form that asks the
// backend to generate a self-signed certificate (name, subject, validity in months).

import { h, replace } from "../dom";
import { host, HostError } from "../host";
import { busy, button, daysLeftBadge, daysUntil, field, formatDate, load, notify, table } from "../ui";

export function certificatesPanel(vault: string): HTMLElement {
  const list = h("div", { "data-testid": "cert-list" });
  const formSlot = h("div");

  const reload = () =>
    load(list, () => host.listCertificates(vault), (certs) =>
      table(
        ["Name", "Subject", "Thumbprint", "Valid from", "Expires", "Days left", "Status"],
        [...certs]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((c) =>
            h(
              "tr",
              { "data-testid": `cert-row-${c.name}` },
              h("th", { scope: "row" }, c.name),
              h("td", null, c.subject),
              h("td", null, h("code", { class: "thumb" }, c.thumbprint)),
              h("td", { class: "date" }, formatDate(c.notBefore)),
              h("td", { class: "date" }, formatDate(c.expires)),
              h("td", null, daysLeftBadge(daysUntil(c.expires))),
              h("td", null, c.enabled ? "Enabled" : "Disabled"),
            ),
          ),
        "There are no certificates in this vault. Use “+ Generate/Import” to create one.",
      ),
    );

  function openForm(): void {
    const name = h("input", { type: "text", "data-testid": "cert-name", autocomplete: "off", spellcheck: "false", required: true, maxlength: 127 });
    const subject = h("input", { type: "text", "data-testid": "cert-subject", autocomplete: "off", spellcheck: "false", placeholder: "CN=example.com", required: true });
    const months = h("input", { type: "number", "data-testid": "cert-validity", min: 1, max: 1200, step: 1, value: 12, required: true });
    const submit = h("button", { type: "submit", class: "primary", "data-testid": "cert-create-submit" }, "Create");
    // Suggest CN=<name> until the user types a subject of their own.
    let subjectTouched = false;
    subject.addEventListener("input", () => (subjectTouched = true));
    name.addEventListener("input", () => {
      if (!subjectTouched) subject.value = name.value ? `CN=${name.value}` : "";
    });
    const form = h(
      "form",
      { class: "inline-form", novalidate: true, "aria-label": "Create a certificate" },
      h("h3", null, "Create a certificate"),
      h("p", { class: "muted" }, "Method: Generate · Type of certificate authority: Self-signed certificate"),
      field("Certificate name", name, "1-127 letters, digits and hyphens."),
      field("Subject", subject, "An X.500 name, e.g. CN=petdash.example"),
      field("Validity period (months)", months, "1-1200 months."),
      h("div", { class: "actions" }, submit, h("button", { type: "button", "data-testid": "cert-create-cancel", onclick: () => replace(formSlot) }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(submit, "Generating certificate…", async () => {
        if (name.value.trim() === "") throw new HostError("BadParameter", "Enter a certificate name.");
        const validityMonths = Number(months.value);
        if (!Number.isInteger(validityMonths) || validityMonths < 1) {
          throw new HostError("BadParameter", "Validity must be a whole number of months.");
        }
        return host.createSelfSignedCertificate(vault, { name: name.value.trim(), subject: subject.value.trim(), validityMonths });
      }).then((c) => {
        if (c === undefined) return;
        notify(`Certificate '${c.name}' created.`);
        replace(formSlot);
        void reload();
      });
    });
    replace(formSlot, form);
    name.focus();
  }

  void reload();
  return h(
    "div",
    null,
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Certificate actions" },
      button("+ Generate/Import", { class: "primary", "data-testid": "cert-create-open" }, openForm),
      button("↻ Refresh", { "data-testid": "certs-refresh" }, () => void reload()),
    ),
    formSlot,
    list,
  );
}
