// The certificate policy as form fields, shared by the Generate wizard and the policy editor:
// type of CA (self-signed, an integrated CA of the vault, or a non-integrated CA that signs a CSR),
// subject and DNS names, validity, content type, key type and size or curve, exportability, key
// reuse, and the lifetime action with its trigger. The backend validates the policy; the key
// types, sizes and curves offered come from its key catalog (./catalog.ts), and the hints here
// only say what Key Vault allows.

import { h } from "../dom";
import type { IssuerView, KeyCatalogView, KeyShapesView, PolicyForm } from "../host";
import { field } from "../ui";
import { certificateKeyTypes, keyKind } from "./catalog";

export type PolicyFields = { element: HTMLElement; read(): PolicyForm; focus(): void };

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  return h("option", { value, selected }, label);
}

/** The fields showing `initial`; `issuers` are the vault's integrated CAs, `catalog` says which
 * key types, sizes and curves to offer. */
export function policyFields(initial: PolicyForm, issuers: readonly IssuerView[], catalog: KeyCatalogView): PolicyFields {
  const caKind = initial.issuerName === "Self" ? "self" : initial.issuerName === "Unknown" ? "unknown" : "integrated";
  const caType = h(
    "select",
    { "data-testid": "cert-issuer-type" },
    option("self", "Self-signed certificate", caKind === "self"),
    option("integrated", "Certificate issued by an integrated CA", caKind === "integrated"),
    option("unknown", "Certificate issued by a non-integrated CA (CSR)", caKind === "unknown"),
  );
  const issuer = h(
    "select",
    { "data-testid": "cert-issuer" },
    issuers.map((i) => option(i.name, `${i.name} (${i.provider})`, i.name === initial.issuerName)),
  );
  const issuerField = field("Certificate authority", issuer, issuers.length === 0 ? "This vault has no integrated CA yet: add one under “Certificate Authorities”." : undefined);
  const subject = h("input", { type: "text", "data-testid": "cert-subject", autocomplete: "off", spellcheck: "false", placeholder: "CN=example.com", value: initial.subject });
  const dns = h("input", { type: "text", "data-testid": "cert-dns", autocomplete: "off", spellcheck: "false", placeholder: "www.example.com, example.com", value: initial.dnsNames.join(", ") });
  const months = h("input", { type: "number", "data-testid": "cert-validity", min: 1, max: 1200, step: 1, value: initial.validityMonths });
  const contentType = h(
    "select",
    { "data-testid": "cert-content-type" },
    option("pfx", "PKCS #12 (PFX)", initial.contentType === "pfx"),
    option("pem", "PEM", initial.contentType === "pem"),
  );
  const keyTypes = certificateKeyTypes(catalog);
  const keyType = h("select", { "data-testid": "cert-key-type" }, keyTypes.map((t) => option(t.kty, t.kty, t.kty === initial.keyType)));
  const keySize = h("select", { "data-testid": "cert-key-size" });
  const curve = h("select", { "data-testid": "cert-curve" });
  const selectedType = (): KeyShapesView | undefined => keyTypes.find((t) => t.kty === keyType.value);
  /** The chosen type's sizes and curves, showing the policy's own (or the type's default). */
  const syncShapes = () => {
    const shapes = selectedType();
    const wantedSize = shapes?.kty === initial.keyType && initial.keySize !== null ? initial.keySize : shapes?.defaultSize;
    const wantedCurve = shapes?.kty === initial.keyType && initial.curve !== null ? initial.curve : shapes?.defaultCurve;
    keySize.replaceChildren(...(shapes?.sizes ?? []).map((s) => option(String(s), String(s), s === wantedSize)));
    curve.replaceChildren(...(shapes?.curves ?? []).map((c) => option(c, c, c === wantedCurve)));
  };
  keyType.addEventListener("change", syncShapes);
  syncShapes();
  const exportable = h("input", { type: "checkbox", "data-testid": "cert-exportable", checked: initial.exportable });
  const reuseKey = h("input", { type: "checkbox", "data-testid": "cert-reuse-key", checked: initial.reuseKey });
  const first = initial.lifetimeActions[0];
  const action = h(
    "select",
    { "data-testid": "cert-lifetime-action" },
    option("AutoRenew", "Automatically renew", first?.action !== "EmailContacts"),
    option("EmailContacts", "E-mail all contacts", first?.action === "EmailContacts"),
    option("none", "No lifetime action", first === undefined),
  );
  const triggerKind = h(
    "select",
    { "data-testid": "cert-trigger-kind" },
    option("percentage", "At a percentage of the lifetime", first?.daysBeforeExpiry == null),
    option("days", "A number of days before expiry", first?.daysBeforeExpiry != null),
  );
  const triggerValue = h("input", {
    type: "number",
    "data-testid": "cert-trigger-value",
    min: 1,
    max: 99,
    step: 1,
    value: first?.lifetimePercentage ?? first?.daysBeforeExpiry ?? 80,
  });

  const sizeField = field("Key size", keySize);
  const curveField = field("Elliptic curve", curve);
  const triggerKindField = field("Lifetime action trigger", triggerKind);
  const triggerValueField = field("Trigger", triggerValue, "Percentage 1-99, or days before expiry.");
  const sync = () => {
    issuerField.hidden = caType.value !== "integrated";
    sizeField.hidden = (selectedType()?.sizes.length ?? 0) === 0;
    curveField.hidden = (selectedType()?.curves.length ?? 0) === 0;
    const noAction = action.value === "none";
    triggerKindField.hidden = noAction;
    triggerValueField.hidden = noAction;
    triggerValue.max = triggerKind.value === "percentage" ? "99" : "1200";
  };
  for (const control of [caType, keyType, action, triggerKind]) control.addEventListener("change", sync);
  // Nothing can renew a certificate a non-integrated CA signs: offer e-mail reminders instead.
  caType.addEventListener("change", () => {
    if (caType.value === "unknown" && action.value === "AutoRenew") {
      action.value = "EmailContacts";
      sync();
    }
  });
  sync();

  const element = h(
    "div",
    { class: "policy-fields" },
    field("Type of Certificate Authority (CA)", caType),
    issuerField,
    field("Subject", subject, "An X.500 name, e.g. CN=petdash.example"),
    field("DNS names", dns, "Optional; separated by commas."),
    field("Validity period (in months)", months, "1-1200 months."),
    field("Content type", contentType),
    h("div", { class: "row" }, field("Key type", keyType), sizeField, curveField),
    h("div", { class: "row checks" }, h("label", null, exportable, " Exportable private key"), h("label", null, reuseKey, " Reuse key on renewal")),
    field("Lifetime action type", action),
    h("div", { class: "row" }, triggerKindField, triggerValueField),
  );

  return {
    element,
    focus: () => caType.focus(),
    read(): PolicyForm {
      const issuerName = caType.value === "self" ? "Self" : caType.value === "unknown" ? "Unknown" : issuer.value;
      const shapes = selectedType();
      const value = Math.floor(Number(triggerValue.value));
      return {
        issuerName,
        subject: subject.value.trim(),
        dnsNames: dns.value
          .split(/[,\s]+/)
          .map((d) => d.trim())
          .filter((d) => d !== ""),
        validityMonths: Math.floor(Number(months.value)),
        keyType: keyKind(keyType.value),
        keySize: shapes !== undefined && shapes.sizes.length > 0 ? Number(keySize.value) : null,
        curve: shapes !== undefined && shapes.curves.length > 0 ? curve.value : null,
        exportable: exportable.checked,
        reuseKey: reuseKey.checked,
        contentType: contentType.value === "pem" ? "pem" : "pfx",
        lifetimeActions:
          action.value === "none"
            ? []
            : [
                {
                  action: action.value,
                  lifetimePercentage: triggerKind.value === "percentage" ? value : null,
                  daysBeforeExpiry: triggerKind.value === "days" ? value : null,
                },
              ],
      };
    },
  };
}
