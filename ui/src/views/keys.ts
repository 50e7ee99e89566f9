// The Keys tab: the vault's keys (paged, filterable), "+ Generate/Import" with its two options
// (Generate: type, protection, size or curve, operations, activation and expiry, tags; Import: a
// JWK pasted or from a file, a PKCS#8 PEM file with its password, or a .byok transfer file), the
// BYOK wizard of Premium vaults (./byok-wizard.ts), a details pane per key (versions with the
// current one marked, a version's public JWK and editable attributes, rotate, download the public
// key) and a try-it panel.
//
// Protection: Software or HSM is offered in Premium vaults only; HSM turns RSA into RSA-HSM and
// EC into EC-HSM, whose private halves are made (or imported) in the HSM and never leave it.
//
// Key types, sizes, curves, operations and algorithms come from the backend's key catalog
// (./catalog.ts), as does the digest each signature algorithm signs.
//
// Try it: for sign/verify the text is hashed here in the page (crypto.subtle.digest), the backend
// signs the digest with the key (signDigest), and Verify re-hashes the current text and asks the
// backend whether the signature still fits (verifyDigest): change the text after signing to see
// Invalid. Encrypt/decrypt and wrap/unwrap (RSA keys only) go through cryptoOperation; the page
// shows whether the round trip gave back what went in. Private key material never reaches the page.

import { h, replace } from "../dom";
import {
  host,
  HostError,
  type KeyCatalogView,
  type KeyDetails,
  type KeyFileFormat,
  type KeyItem,
  type KeyProtection,
  type KeyTypeView,
  type SignatureAlgorithmView,
  type VaultView,
} from "../host";
import { busy, button, download, field, formatDate, load, notify, pagedTable, readKeyFileBase64, showError, table } from "../ui";
import {
  attributesEditor,
  base64ToBytes,
  base64ToUtf8,
  bytesToBase64,
  dateInput,
  dateValue,
  detailsPane,
  formatTags,
  nameButton,
  parseTags,
  utf8ToBase64,
} from "./common";
import { openByokWizard } from "./byok-wizard";
import { creatableKeyTypes, hsmTwin, keyCatalog, keyKind, keyTypeOf, signatureAlgorithmsFor } from "./catalog";
import { nameFromFile } from "./cert-wizard";

/** The base64 of `text` hashed with `digest` (a WebCrypto name the catalog gives, e.g. SHA-256). */
export async function digestBase64(text: string, digest: string): Promise<string> {
  if (!globalThis.crypto?.subtle) throw new HostError("Unsupported", "crypto.subtle is not available in this page (it needs a secure context).");
  const d = await crypto.subtle.digest(digest, new TextEncoder().encode(text));
  return bytesToBase64(new Uint8Array(d));
}

/** The Protection field: Software or HSM in a Premium vault whose installation can make HSM keys; a note elsewhere. */
function protectionField(premium: boolean, hsmAvailable: boolean, testid: string): { element: HTMLElement; select: HTMLSelectElement | null } {
  if (!premium) return { element: h("p", { class: "muted", "data-testid": `${testid}-note` }, "Protection: Software. HSM-protected keys need a Premium vault."), select: null };
  if (!hsmAvailable) return { element: h("p", { class: "muted", "data-testid": `${testid}-note` }, "Protection: Software. This installation cannot make HSM keys (see the HSM page)."), select: null };
  const select = h(
    "select",
    { "data-testid": testid },
    h("option", { value: "software" }, "Software"),
    h("option", { value: "hsm" }, "HSM"),
  );
  return { element: field("Protection", select, "HSM: the private key is made or imported in the HSM and never leaves it (RSA-HSM, EC-HSM)."), select };
}

/** The Options select at the top of "+ Generate/Import". */
function optionSelect(current: "generate" | "import", change: (option: "generate" | "import") => void): HTMLElement {
  const select = h(
    "select",
    { "data-testid": "key-option" },
    h("option", { value: "generate", selected: current === "generate" }, "Generate"),
    h("option", { value: "import", selected: current === "import" }, "Import"),
  );
  select.addEventListener("change", () => change(select.value === "import" ? "import" : "generate"));
  return field("Options", select);
}

export function keysPanel(vaultView: VaultView): HTMLElement {
  const vault = vaultView.name;
  const premium = vaultView.sku === "premium";
  const list = h("div", { "data-testid": "key-list" });
  const formSlot = h("div");
  const detailsSlot = h("div");
  const tryIt = tryItPanel(vault);

  const reload = () =>
    load(list, () => Promise.all([host.listKeys(vault), keyCatalog()]), ([keys, catalog]) => {
      const sorted = [...keys].sort((a, b) => a.name.localeCompare(b.name));
      tryIt.setKeys(sorted, catalog);
      return pagedTable<KeyItem>({
        testid: "key-table",
        items: sorted,
        text: (k) => k.name,
        headers: ["Name", "Type", "Operations", "Status", "Created", "Expires", ""],
        empty: "There are no keys in this vault. Use “+ Generate/Import” to create one.",
        row: (k) =>
          h(
            "tr",
            { "data-testid": `key-row-${k.name}` },
            h("th", { scope: "row" }, nameButton(k.name, `key-open-${k.name}`, () => void openDetails(k.name))),
            h("td", null, k.kty),
            h("td", { class: "ops" }, k.keyOps.join(", ")),
            h("td", null, k.enabled ? "Enabled" : "Disabled"),
            h("td", { class: "date" }, formatDate(k.created)),
            h("td", { class: "date" }, formatDate(k.expires)),
            h(
              "td",
              { class: "row-actions" },
              button("Delete", { class: "small danger", "data-testid": `key-delete-${k.name}`, "aria-label": `Delete ${k.name}` }, (b) => {
                void busy(b, "Deleting…", () => host.deleteObject(vault, "key", k.name)).then((d) => {
                  if (d === undefined) return;
                  notify(`Key '${k.name}' deleted. It can be recovered under Deleted objects until ${formatDate(d.scheduledPurgeDate)}.`);
                  if (detailsSlot.querySelector(`[data-key="${CSS.escape(k.name)}"]`)) replace(detailsSlot);
                  void reload();
                });
              }),
            ),
          ),
      });
    });

  const openDetails = (name: string) => {
    replace(formSlot);
    return load(
      detailsSlot,
      () => Promise.all([host.listKeyVersions(vault, name), host.getKey(vault, name, null)]),
      ([versions, current]) =>
        keyDetails(vault, name, versions, current, {
          close: () => {
            replace(detailsSlot);
            // Back to the name that opened the pane, so keyboard users keep their place.
            list.querySelector<HTMLElement>(`[data-testid="key-open-${CSS.escape(name)}"]`)?.focus();
          },
          changed: () => void reload(),
          reopen: () => void openDetails(name),
        }),
    );
  };

  function openForm(catalog: KeyCatalogView): void {
    replace(detailsSlot);
    const types = creatableKeyTypes(catalog);
    const hsmTypes = types.map((t) => hsmTwin(catalog, t.shapes.kty)).filter((t): t is KeyTypeView => t !== undefined);
    const name = h("input", { type: "text", "data-testid": "key-name", autocomplete: "off", spellcheck: "false", required: true, maxlength: 127 });
    const kty = h("select", { "data-testid": "key-type" }, types.map((t) => h("option", { value: t.shapes.kty }, t.shapes.kty)));
    const protection = protectionField(premium, hsmTypes.length > 0, "key-protection");
    const size = h("select", { "data-testid": "key-size" });
    const curve = h("select", { "data-testid": "key-curve" });
    const sizeField = field("RSA key size", size);
    const curveField = field("Elliptic curve", curve);
    const hsm = () => protection.select?.value === "hsm";
    /** The catalog entry of the chosen family with the chosen protection (`RSA` or `RSA-HSM`, ...). */
    const selected = (): KeyTypeView | undefined => {
      const family = types.find((t) => t.shapes.kty === kty.value);
      return family && hsm() ? hsmTwin(catalog, family.shapes.kty) : family;
    };
    // One checkbox per operation any offered type takes, in the catalog's order.
    const allOps = [...new Set([...types, ...hsmTypes].flatMap((t) => t.operations))];
    const ops = new Map(allOps.map((op) => [op, h("input", { type: "checkbox", "data-testid": `key-op-${op}`, value: op })]));
    const opsSet = h(
      "fieldset",
      { class: "ops-set" },
      h("legend", null, "Permitted operations"),
      h("div", { class: "row checks" }, [...ops].map(([op, box]) => h("label", { "data-op": op }, box, op))),
      h("p", { class: "hint" }, "A key-exchange key (KEK) for bring your own key is an RSA-HSM key with import as its only operation."),
    );
    const enabled = h("input", { type: "checkbox", "data-testid": "key-enabled", checked: true });
    const notBefore = dateInput("key-not-before");
    const expires = dateInput("key-expires");
    const tags = h("textarea", { "data-testid": "key-tags", rows: 3, spellcheck: "false", class: "mono", placeholder: "team=payments\nenv=test" });
    const sync = () => {
      const entry = selected();
      const sizes = entry?.shapes.sizes ?? [];
      const curves = entry?.shapes.curves ?? [];
      size.replaceChildren(...sizes.map((s) => h("option", { value: s, selected: s === entry?.shapes.defaultSize }, String(s))));
      curve.replaceChildren(...curves.map((c) => h("option", { value: c, selected: c === entry?.shapes.defaultCurve }, c)));
      sizeField.hidden = sizes.length === 0;
      curveField.hidden = curves.length === 0;
      for (const [op, box] of ops) {
        // The type's defaults pre-ticked; operations the type cannot do (EC: encrypt, wrap) are not offered.
        box.checked = entry?.defaultOperations.includes(op) ?? false;
        const label = box.closest("label");
        if (label) label.hidden = !(entry?.operations.includes(op) ?? false);
      }
    };
    kty.addEventListener("change", sync);
    protection.select?.addEventListener("change", sync);
    sync();
    const submit = h("button", { type: "submit", class: "primary", "data-testid": "key-create-submit" }, "Create");
    const form = h(
      "form",
      { class: "inline-form", novalidate: true, "aria-label": "Create a key" },
      h("h3", null, "Create a key"),
      optionSelect("generate", (option) => option === "import" && openImportForm()),
      field("Name", name, "1-127 letters, digits and hyphens."),
      h("div", { class: "row" }, field("Key type", kty), protection.element, sizeField, curveField),
      opsSet,
      h("div", { class: "row checks" }, h("label", null, enabled, "Enabled")),
      h("div", { class: "row" }, field("Activation date", notBefore, "Local time; empty for none."), field("Expiration date", expires, "Local time; empty for none.")),
      field("Tags", tags, "One name=value per line; at most 15."),
      h("div", { class: "actions" }, submit, h("button", { type: "button", "data-testid": "key-create-cancel", onclick: () => replace(formSlot) }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(submit, hsm() ? "Generating key in the HSM…" : "Generating key…", async () => {
        if (name.value.trim() === "") throw new HostError("BadParameter", "Enter a key name.");
        const entry = selected();
        if (entry === undefined) throw new HostError("BadParameter", "Choose a key type.");
        const keyOps = [...ops].filter(([, box]) => box.checked && !box.closest("label")?.hidden).map(([op]) => op);
        if (keyOps.length === 0) throw new HostError("BadParameter", "Tick at least one permitted operation.");
        return host.createKey(vault, {
          name: name.value.trim(),
          kty: keyKind(kty.value),
          protection: hsm() ? "hsm" : "software",
          size: entry.shapes.sizes.length > 0 ? Number(size.value) : null,
          curve: entry.shapes.curves.length > 0 ? curve.value : null,
          keyOps,
          enabled: enabled.checked,
          notBefore: dateValue(notBefore, "activation date"),
          expires: dateValue(expires, "expiration date"),
          tags: parseTags(tags.value),
        });
      }).then((k) => {
        if (k === undefined) return;
        notify(`Key '${k.name}' created.`);
        replace(formSlot);
        void reload();
      });
    });
    replace(formSlot, form);
    name.focus();
  }

  /** "+ Generate/Import" with Options Import: a JWK, a PKCS#8 PEM or a .byok file. */
  function openImportForm(): void {
    replace(detailsSlot);
    void keyCatalog().then(
      (catalog) => replace(formSlot, importForm(catalog)),
      (e: unknown) => showError(e),
    );
  }

  function importForm(catalog: KeyCatalogView): HTMLElement {
    const hsmAvailable = creatableKeyTypes(catalog).some((t) => hsmTwin(catalog, t.shapes.kty) !== undefined);
    const name = h("input", { type: "text", "data-testid": "key-import-name", autocomplete: "off", spellcheck: "false", required: true, maxlength: 127 });
    const format = h(
      "select",
      { "data-testid": "key-import-format" },
      h("option", { value: "jwk" }, "JSON Web Key (JWK)"),
      h("option", { value: "pem" }, "PEM file (PKCS#8 private key)"),
      h("option", { value: "byok" }, "BYOK transfer file (.byok)"),
    );
    const file = h("input", { type: "file", "data-testid": "key-import-file" });
    const jwkText = h("textarea", { "data-testid": "key-import-jwk", rows: 6, spellcheck: "false", class: "mono", placeholder: '{"kty":"EC","crv":"P-256","x":"…","y":"…","d":"…"}' });
    const password = h("input", { type: "password", "data-testid": "key-import-password", autocomplete: "off" });
    const protection = protectionField(premium, hsmAvailable, "key-import-protection");
    const enabled = h("input", { type: "checkbox", "data-testid": "key-import-enabled", checked: true });
    const jwkField = field("Or paste the JWK", jwkText, "Every private member (d, and p, q, dp, dq, qi for RSA).");
    const passwordField = field("Password", password, "Only for an ENCRYPTED PRIVATE KEY; leave empty otherwise.");
    const byokNote = h(
      "p",
      { class: "note", "data-testid": "key-import-byok-note" },
      premium
        ? "A .byok file is unwrapped inside the HSM with the vault's key-exchange key it was made for, and becomes an RSA-HSM key. The BYOK wizard makes one end to end."
        : "A .byok file becomes an RSA-HSM key, which needs a Premium vault.",
    );
    const fileField = field("File", file);
    const sync = () => {
      const f = format.value;
      jwkField.hidden = f !== "jwk";
      passwordField.hidden = f !== "pem";
      byokNote.hidden = f !== "byok";
      protection.element.hidden = f === "byok";
      file.accept = f === "jwk" ? ".json,.jwk,application/json" : f === "pem" ? ".pem,.key,.p8" : ".byok,.json";
    };
    format.addEventListener("change", sync);
    file.addEventListener("change", () => {
      const chosen = file.files?.[0];
      if (chosen && name.value.trim() === "") name.value = nameFromFile(chosen.name);
    });
    sync();
    const submit = h("button", { type: "submit", class: "primary", "data-testid": "key-import-submit" }, "Import");
    const form = h(
      "form",
      { class: "inline-form", novalidate: true, "aria-label": "Import a key" },
      h("h3", null, "Import a key"),
      optionSelect("import", (option) => option === "generate" && openForm(catalog)),
      field("Name", name, "1-127 letters, digits and hyphens."),
      h("div", { class: "row" }, field("File type", format), protection.element),
      fileField,
      jwkField,
      passwordField,
      byokNote,
      h("div", { class: "row checks" }, h("label", null, enabled, "Enabled")),
      h("div", { class: "actions" }, submit, h("button", { type: "button", "data-testid": "key-import-cancel", onclick: () => replace(formSlot) }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const kind = format.value as KeyFileFormat;
      const hsm = kind === "byok" || protection.select?.value === "hsm";
      void busy(submit, hsm ? "Importing into the HSM…" : "Importing…", async () => {
        if (name.value.trim() === "") throw new HostError("BadParameter", "Enter a key name.");
        const chosen = file.files?.[0];
        let data: string;
        if (chosen) data = await readKeyFileBase64(chosen);
        else if (kind === "jwk" && jwkText.value.trim() !== "") data = utf8ToBase64(jwkText.value);
        else throw new HostError("BadParameter", kind === "jwk" ? "Choose a JWK file or paste the JWK." : "Choose the file to import.");
        const keyProtection: KeyProtection = hsm ? "hsm" : "software";
        return host.importKey(vault, {
          name: name.value.trim(),
          format: kind,
          data,
          password: kind === "pem" && password.value !== "" ? password.value : null,
          protection: keyProtection,
          keyOps: null,
          enabled: enabled.checked,
          notBefore: null,
          expires: null,
          tags: null,
        });
      }).then((k) => {
        password.value = "";
        if (k === undefined) return;
        notify(`Key '${k.name}' imported as ${k.kty}.`);
        replace(formSlot);
        void reload().then(() => openDetails(k.name));
      });
    });
    return form;
  }

  void reload();
  const toolbar = h(
    "div",
    { class: "toolbar", role: "toolbar", "aria-label": "Key actions" },
    button("+ Generate/Import", { class: "primary", "data-testid": "key-create-open" }, (b) => {
      void busy(b, "Loading…", keyCatalog).then((catalog) => catalog && openForm(catalog));
    }),
    premium
      ? button("Bring your own key (BYOK)", { "data-testid": "key-byok-open" }, (b) => {
          void busy(b, "Loading…", async () => {
            replace(detailsSlot);
            await openByokWizard(formSlot, vault, {
              changed: () => void reload(),
              done: (name) => void reload().then(() => openDetails(name)),
            });
          });
        })
      : null,
    button("↻ Refresh", { "data-testid": "keys-refresh" }, () => void reload()),
  );
  return h(
    "div",
    null,
    toolbar,
    formSlot,
    detailsSlot,
    list,
    tryIt.element,
  );
}

/** A key's details: its versions (current marked), Rotate, and one version's facts and settings. */
function keyDetails(
  vault: string,
  name: string,
  versions: KeyItem[],
  current: KeyDetails,
  on: { close(): void; changed(): void; reopen(): void },
): HTMLElement {
  const versionSlot = h("div", { "data-testid": "key-version-details" });
  const currentVersion = current.item.version;
  let selected = currentVersion;
  /** The status and expiry cells of each version's row, updated in place after a Save. */
  const cells = new Map<string, { status: HTMLElement; expires: HTMLElement }>();
  const saved = (u: KeyDetails) => {
    if (u.item.version === currentVersion) current = u;
    const c = cells.get(u.item.version);
    if (c) {
      c.status.textContent = u.item.enabled ? "Enabled" : "Disabled";
      c.expires.textContent = formatDate(u.item.expires);
    }
    on.changed();
  };

  const rows = versions.map((v) => {
    const isCurrent = v.version === currentVersion;
    const status = h("td", null, v.enabled ? "Enabled" : "Disabled");
    const expires = h("td", { class: "date" }, formatDate(v.expires));
    cells.set(v.version, { status, expires });
    const open = h(
      "button",
      { type: "button", class: "link", "data-testid": `key-version-open-${v.version}`, "aria-label": `Show version ${v.version}` },
      h("code", null, v.version),
    );
    open.addEventListener("click", () => void showVersion(v.version));
    return h(
      "tr",
      { "data-testid": `key-version-${v.version}`, "data-current": isCurrent ? "true" : null },
      h("th", { scope: "row", class: "version-cell" }, open, isCurrent ? h("span", { class: "badge current", "data-testid": "key-version-current" }, "current") : null),
      status,
      h("td", { class: "date" }, formatDate(v.created)),
      expires,
    );
  });

  const rotate = button("↻ Rotate", { class: "primary", "data-testid": "key-rotate" }, (b) => {
    void busy(b, "Rotating…", () => host.rotateKey(vault, name)).then((k) => {
      if (k === undefined) return;
      notify(`Key '${name}' rotated: version ${k.version} is now current.`);
      on.changed();
      on.reopen();
    });
  });

  const showVersion = (version: string) => {
    selected = version;
    for (const tr of rows) tr.classList.toggle("selected", tr.dataset.testid === `key-version-${selected}`);
    if (version === currentVersion) {
      replace(versionSlot, versionDetails(vault, name, current, saved));
      return Promise.resolve();
    }
    return load(versionSlot, () => host.getKey(vault, name, version), (d) => versionDetails(vault, name, d, saved));
  };
  void showVersion(selected);

  const pane = detailsPane(
    name,
    "key-details",
    on.close,
    h("div", { class: "toolbar", role: "toolbar", "aria-label": `Actions on ${name}` }, rotate),
    h("h4", null, "Versions"),
    table(["Version", "Status", "Created", "Expires"], rows, "No versions."),
    versionSlot,
  );
  pane.dataset.key = name;
  return pane;
}

/** One key version: size, kid, operations, tags, public JWK, download, editable attributes. */
function versionDetails(vault: string, name: string, d: KeyDetails, saved: (updated: KeyDetails) => void): HTMLElement {
  const v = d.item;
  const tags = formatTags(d.tags);
  const save = button("Download public key", { "data-testid": "key-download" }, (b) => {
    void download(b, `${name}.pem`, [{ name: "PEM", extensions: ["pem"] }], (path) => host.savePublicKey(vault, name, v.version, path));
  });
  return h(
    "div",
    { class: "version-details" },
    h("h4", null, "Version ", h("code", null, v.version)),
    h(
      "dl",
      { class: "props compact" },
      h("dt", null, "Key"),
      h("dd", { "data-testid": "key-size-text" }, d.size),
      h("dt", null, "Key identifier"),
      h("dd", null, h("code", { class: "wrap" }, v.kid)),
      h("dt", null, "Permitted operations"),
      h("dd", null, v.keyOps.join(", ")),
      h("dt", null, "Created"),
      h("dd", null, formatDate(v.created)),
      h("dt", null, "Updated"),
      h("dd", null, formatDate(d.updated)),
      h("dt", null, "Tags"),
      h("dd", null, tags === "" ? "—" : h("pre", { class: "mono" }, tags)),
    ),
    h("div", { class: "actions" }, save),
    h("h4", null, "Public key (JWK)"),
    h("pre", { class: "jwk mono", "data-testid": "key-jwk", tabindex: 0, "aria-label": "Public key as JWK" }, d.publicJwk),
    h("h4", null, "Settings"),
    attributesEditor({
      testid: "key-attr",
      enabled: v.enabled,
      notBefore: d.notBefore,
      expires: v.expires,
      save: async (attributes) => {
        const updated = await host.updateKey(vault, name, v.version, attributes);
        notify(`Version ${updated.item.version} of '${name}' saved.`);
        saved(updated);
      },
    }),
  );
}

function tryItPanel(vault: string): { element: HTMLElement; setKeys(keys: KeyItem[], catalog: KeyCatalogView): void } {
  let keys: KeyItem[] = [];
  let catalog: KeyCatalogView | null = null;
  /** The signature algorithms the chosen key can use, each with the digest it signs. */
  let offers: SignatureAlgorithmView[] = [];
  let signed: { key: string; algorithm: string; digest: string; signature: string } | null = null;

  const keySelect = h("select", { "data-testid": "tryit-key" });
  const alg = h("select", { "data-testid": "tryit-alg" });
  const text = h("textarea", { "data-testid": "tryit-text", rows: 3, spellcheck: "false" }, "Hello from Vaultmort");
  const digestOut = h("code", { "data-testid": "tryit-digest", class: "wrap" }, "—");
  const signatureOut = h("code", { "data-testid": "tryit-signature", class: "wrap" }, "—");
  const result = h("output", { "data-testid": "tryit-result", class: "result", "aria-live": "polite" });
  const sign = h("button", { type: "button", class: "primary", "data-testid": "tryit-sign" }, "Sign");
  const verify = h("button", { type: "button", "data-testid": "tryit-verify", disabled: true }, "Verify");
  const crypt = cryptSection(vault, () => keySelect.value);

  const syncAlgs = () => {
    const k = keys.find((x) => x.name === keySelect.value);
    offers = k && catalog ? signatureAlgorithmsFor(catalog, k) : [];
    const before = alg.value;
    alg.replaceChildren(...offers.map((a) => h("option", { value: a.name }, `${a.name} (${a.digest})`)));
    if (offers.some((a) => a.name === before)) alg.value = before;
    crypt.setKey(k ?? null, k && catalog ? (keyTypeOf(catalog, k.kty) ?? null) : null);
  };
  const forget = () => {
    signed = null;
    verify.disabled = true;
    signatureOut.textContent = "—";
    result.textContent = "";
    result.className = "result";
    delete result.dataset.result;
  };
  keySelect.addEventListener("change", () => {
    syncAlgs();
    forget();
  });
  alg.addEventListener("change", forget);
  text.addEventListener("input", () => {
    result.textContent = "";
    result.className = "result";
    delete result.dataset.result;
  });

  sign.addEventListener("click", () => {
    void busy(sign, "Signing…", async () => {
      if (!keySelect.value) throw new HostError("BadParameter", "Create a key first.");
      const offer = offers.find((a) => a.name === alg.value);
      if (offer === undefined) throw new HostError("BadParameter", "Choose a signature algorithm.");
      const digest = await digestBase64(text.value, offer.digest);
      digestOut.textContent = digest;
      const signature = await host.signDigest(vault, keySelect.value, offer.name, digest);
      return { key: keySelect.value, algorithm: offer.name, digest: offer.digest, signature };
    }).then((s) => {
      if (s === undefined) return;
      signed = s;
      signatureOut.textContent = s.signature;
      result.textContent = "Signed. Verify checks the current text against this signature.";
      result.className = "result note";
      delete result.dataset.result;
      verify.disabled = false;
    });
  });

  verify.addEventListener("click", () => {
    const s = signed;
    if (s === null) {
      showError(new HostError("BadParameter", "Sign something first."));
      return;
    }
    void busy(verify, "Verifying…", async () => {
      const digest = await digestBase64(text.value, s.digest);
      digestOut.textContent = digest;
      return host.verifyDigest(vault, s.key, s.algorithm, digest, s.signature);
    }).then((ok) => {
      if (ok === undefined) return;
      result.textContent = ok ? "Valid" : "Invalid";
      result.className = ok ? "result valid" : "result invalid";
      result.dataset.result = ok ? "valid" : "invalid";
    });
  });

  const element = h(
    "section",
    { class: "card tryit", "aria-labelledby": "tryit-title", "data-testid": "keys-try-it" },
    h("h3", { id: "tryit-title" }, "Try it: sign and verify"),
    h("p", { class: "muted" }, "The text is hashed in this page; only the digest goes to the vault, which signs it with the key."),
    h("div", { class: "row" }, field("Key", keySelect), field("Algorithm", alg)),
    field("Text", text),
    h("div", { class: "actions" }, sign, verify, result),
    h("dl", { class: "props compact" }, h("dt", null, "Digest (base64)"), h("dd", null, digestOut), h("dt", null, "Signature (base64)"), h("dd", null, signatureOut)),
    crypt.element,
  );

  return {
    element,
    setKeys(next, nextCatalog) {
      keys = next;
      catalog = nextCatalog;
      const before = keySelect.value;
      keySelect.replaceChildren(...next.map((k) => h("option", { value: k.name }, `${k.name} (${k.kty})`)));
      if (next.some((k) => k.name === before)) keySelect.value = before;
      syncAlgs();
      sign.disabled = next.length === 0;
    },
  };
}

/** Sets a round-trip output to "match" or "mismatch". */
function showMatch(out: HTMLOutputElement, same: boolean, match: string, mismatch: string): void {
  out.textContent = same ? match : mismatch;
  out.className = same ? "result valid" : "result invalid";
  out.dataset.result = same ? "match" : "mismatch";
}

function clearResult(out: HTMLOutputElement): void {
  out.textContent = "";
  out.className = "result";
  delete out.dataset.result;
}

/** Encrypt/decrypt and wrap/unwrap with the try-it panel's key (RSA only). */
function cryptSection(vault: string, keyName: () => string): { element: HTMLElement; setKey(k: KeyItem | null, entry: KeyTypeView | null): void } {
  const alg = h("select", { "data-testid": "tryit-enc-alg" });
  const plaintext = h("textarea", { "data-testid": "tryit-plaintext", rows: 2, spellcheck: "false" }, "Hello from Vaultmort");
  const ciphertext = h("textarea", { "data-testid": "tryit-ciphertext", rows: 3, spellcheck: "false", class: "mono", placeholder: "Ciphertext (base64): Encrypt fills it in, or paste one." });
  const decrypted = h("code", { "data-testid": "tryit-decrypted", class: "wrap" }, "—");
  const cryptResult = h("output", { "data-testid": "tryit-crypt-result", class: "result", "aria-live": "polite" });
  const encrypt = h("button", { type: "button", class: "primary", "data-testid": "tryit-encrypt" }, "Encrypt");
  const decrypt = h("button", { type: "button", "data-testid": "tryit-decrypt" }, "Decrypt");

  let wrapped: { key: string; algorithm: string; plain: string; wrapped: string } | null = null;
  const wrapKeyOut = h("code", { "data-testid": "tryit-wrap-key", class: "wrap" }, "—");
  const wrappedOut = h("code", { "data-testid": "tryit-wrapped", class: "wrap" }, "—");
  const unwrappedOut = h("code", { "data-testid": "tryit-unwrapped", class: "wrap" }, "—");
  const wrapResult = h("output", { "data-testid": "tryit-wrap-result", class: "result", "aria-live": "polite" });
  const wrap = h("button", { type: "button", class: "primary", "data-testid": "tryit-wrap" }, "Wrap a random key");
  const unwrap = h("button", { type: "button", "data-testid": "tryit-unwrap", disabled: true }, "Unwrap");
  const ecNote = h("p", { class: "note", "data-testid": "tryit-ec-note", hidden: true }, "EC keys only sign and verify: choose an RSA key to encrypt, decrypt, wrap or unwrap.");
  const body = h("div");

  const need = () => {
    const name = keyName();
    if (!name) throw new HostError("BadParameter", "Create a key first.");
    return name;
  };

  encrypt.addEventListener("click", () => {
    clearResult(cryptResult);
    void busy(encrypt, "Encrypting…", () => host.cryptoOperation(vault, need(), null, "encrypt", alg.value, utf8ToBase64(plaintext.value))).then((c) => {
      if (c === undefined) return;
      ciphertext.value = c;
      decrypted.textContent = "—";
      cryptResult.textContent = "Encrypted with the public key. Decrypt asks the vault to undo it with the private key.";
      cryptResult.className = "result note";
    });
  });
  decrypt.addEventListener("click", () => {
    clearResult(cryptResult);
    void busy(decrypt, "Decrypting…", async () => {
      if (ciphertext.value.trim() === "") throw new HostError("BadParameter", "Encrypt something first, or paste a ciphertext (base64).");
      base64ToBytes(ciphertext.value); // A clear error here rather than a round trip for bad input.
      return base64ToUtf8(await host.cryptoOperation(vault, need(), null, "decrypt", alg.value, ciphertext.value.trim()));
    }).then((p) => {
      if (p === undefined) return;
      decrypted.textContent = p;
      showMatch(cryptResult, p === plaintext.value, "Round trip matched: the decrypted text is the text above.", "Decrypted, but it differs from the text above.");
    });
  });

  wrap.addEventListener("click", () => {
    clearResult(wrapResult);
    void busy(wrap, "Wrapping…", async () => {
      const key = need();
      const plain = bytesToBase64(crypto.getRandomValues(new Uint8Array(32)));
      const w = await host.cryptoOperation(vault, key, null, "wrapKey", alg.value, plain);
      return { key, algorithm: alg.value, plain, wrapped: w };
    }).then((w) => {
      if (w === undefined) return;
      wrapped = w;
      wrapKeyOut.textContent = w.plain;
      wrappedOut.textContent = w.wrapped;
      unwrappedOut.textContent = "—";
      unwrap.disabled = false;
      wrapResult.textContent = "A random 256-bit key was wrapped. Unwrap must give back the same bytes.";
      wrapResult.className = "result note";
    });
  });
  unwrap.addEventListener("click", () => {
    const w = wrapped;
    if (w === null) return;
    clearResult(wrapResult);
    void busy(unwrap, "Unwrapping…", () => host.cryptoOperation(vault, w.key, null, "unwrapKey", w.algorithm, w.wrapped)).then((u) => {
      if (u === undefined) return;
      unwrappedOut.textContent = u;
      showMatch(wrapResult, u === w.plain, "Round trip matched: the same 32 bytes came back.", "Mismatch: the unwrapped bytes differ.");
    });
  });

  replace(
    body,
    field("Encryption algorithm", alg, "For encrypt, decrypt, wrap and unwrap."),
    h("h4", null, "Encrypt and decrypt"),
    field("Text (UTF-8)", plaintext),
    field("Ciphertext (base64)", ciphertext),
    h("div", { class: "actions" }, encrypt, decrypt, cryptResult),
    h("dl", { class: "props compact" }, h("dt", null, "Decrypted text"), h("dd", null, decrypted)),
    h("h4", null, "Wrap and unwrap"),
    h("div", { class: "actions" }, wrap, unwrap, wrapResult),
    h(
      "dl",
      { class: "props compact" },
      h("dt", null, "Random key (base64)"),
      h("dd", null, wrapKeyOut),
      h("dt", null, "Wrapped (base64)"),
      h("dd", null, wrappedOut),
      h("dt", null, "Unwrapped (base64)"),
      h("dd", null, unwrappedOut),
    ),
  );

  const element = h(
    "div",
    { class: "tryit-crypt", "data-testid": "tryit-crypt" },
    h("h3", null, "Try it: encrypt, decrypt, wrap and unwrap"),
    h("p", { class: "muted" }, "Encrypt and wrap use the public key; decrypt and unwrap run inside the vault, and only their result comes back."),
    ecNote,
    body,
  );

  return {
    element,
    setKey(k, entry) {
      // The key's type's algorithms; a type with none (EC) only signs and verifies.
      const algorithms = entry?.encryptionAlgorithms ?? [];
      const before = alg.value;
      alg.replaceChildren(...algorithms.map((a) => h("option", { value: a }, a)));
      if (algorithms.includes(before)) alg.value = before;
      const signOnly = k !== null && algorithms.length === 0;
      ecNote.hidden = !signOnly;
      body.hidden = signOnly;
      for (const b of [encrypt, decrypt, wrap]) b.disabled = k === null || signOnly;
      if (wrapped !== null && wrapped.key !== k?.name) {
        wrapped = null;
        unwrap.disabled = true;
      }
    },
  };
}
