// The Keys tab: the vault's keys, a create form (RSA with a size, EC with a curve), and a
// try-it panel: the text is hashed here in the page (crypto.subtle.digest), the backend signs the
// digest with the key (signDigest), and Verify re-hashes the current text and asks the backend
// whether the signature still fits (verifyDigest): change the text after signing to see Invalid.

import { h, replace } from "../dom";
import { host, HostError, type KeyItem } from "../host";
import { busy, button, field, formatDate, load, notify, showError, table } from "../ui";

const RSA_SIZES = [2048, 3072, 4096] as const;
const EC_CURVES = ["P-256", "P-384", "P-521", "P-256K"] as const;
const RSA_ALGS = ["RS256", "PS256", "RS384", "PS384", "RS512", "PS512"] as const;
const EC_ALGS = ["ES256", "ES384", "ES512", "ES256K"] as const;

const isEc = (k: KeyItem) => k.kty.startsWith("EC");

/** The hash an algorithm signs: the number in its name (RS256, ES256K → SHA-256). */
export function hashOf(algorithm: string): "SHA-256" | "SHA-384" | "SHA-512" {
  if (algorithm.includes("384")) return "SHA-384";
  if (algorithm.includes("512")) return "SHA-512";
  return "SHA-256";
}

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export async function digestBase64(text: string, algorithm: string): Promise<string> {
  if (!globalThis.crypto?.subtle) throw new HostError("Unsupported", "crypto.subtle is not available in this page (it needs a secure context).");
  const d = await crypto.subtle.digest(hashOf(algorithm), new TextEncoder().encode(text));
  return toBase64(new Uint8Array(d));
}

export function keysPanel(vault: string): HTMLElement {
  const list = h("div", { "data-testid": "key-list" });
  const formSlot = h("div");
  const tryIt = tryItPanel(vault);

  const reload = () =>
    load(list, () => host.listKeys(vault), (keys) => {
      const sorted = [...keys].sort((a, b) => a.name.localeCompare(b.name));
      tryIt.setKeys(sorted);
      return table(
        ["Name", "Type", "Operations", "Status", "Created", "Expires"],
        sorted.map((k) =>
          h(
            "tr",
            { "data-testid": `key-row-${k.name}` },
            h("th", { scope: "row" }, k.name),
            h("td", null, k.kty),
            h("td", { class: "ops" }, k.keyOps.join(", ")),
            h("td", null, k.enabled ? "Enabled" : "Disabled"),
            h("td", { class: "date" }, formatDate(k.created)),
            h("td", { class: "date" }, formatDate(k.expires)),
          ),
        ),
        "There are no keys in this vault. Use “+ Generate/Import” to create one.",
      );
    });

  function openForm(): void {
    const name = h("input", { type: "text", "data-testid": "key-name", autocomplete: "off", spellcheck: "false", required: true, maxlength: 127 });
    const kty = h("select", { "data-testid": "key-type" }, h("option", { value: "RSA" }, "RSA"), h("option", { value: "EC" }, "EC"));
    const size = h("select", { "data-testid": "key-size" }, RSA_SIZES.map((s) => h("option", { value: s }, String(s))));
    const curve = h("select", { "data-testid": "key-curve" }, EC_CURVES.map((c) => h("option", { value: c }, c)));
    const sizeField = field("RSA key size", size);
    const curveField = field("Elliptic curve", curve);
    const sync = () => {
      sizeField.hidden = kty.value !== "RSA";
      curveField.hidden = kty.value !== "EC";
    };
    kty.addEventListener("change", sync);
    sync();
    const submit = h("button", { type: "submit", class: "primary", "data-testid": "key-create-submit" }, "Create");
    const form = h(
      "form",
      { class: "inline-form", novalidate: true, "aria-label": "Create a key" },
      h("h3", null, "Create a key"),
      field("Name", name, "1-127 letters, digits and hyphens."),
      field("Key type", kty),
      sizeField,
      curveField,
      h("div", { class: "actions" }, submit, h("button", { type: "button", "data-testid": "key-create-cancel", onclick: () => replace(formSlot) }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(submit, "Generating key…", async () => {
        if (name.value.trim() === "") throw new HostError("BadParameter", "Enter a key name.");
        const rsa = kty.value === "RSA";
        return host.createKey(vault, {
          name: name.value.trim(),
          kty: rsa ? "RSA" : "EC",
          size: rsa ? Number(size.value) : null,
          curve: rsa ? null : curve.value,
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

  void reload();
  return h(
    "div",
    null,
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Key actions" },
      button("+ Generate/Import", { class: "primary", "data-testid": "key-create-open" }, openForm),
      button("↻ Refresh", { "data-testid": "keys-refresh" }, () => void reload()),
    ),
    formSlot,
    list,
    tryIt.element,
  );
}

function tryItPanel(vault: string): { element: HTMLElement; setKeys(keys: KeyItem[]): void } {
  let keys: KeyItem[] = [];
  let signed: { key: string; algorithm: string; signature: string } | null = null;

  const keySelect = h("select", { "data-testid": "tryit-key" });
  const alg = h("select", { "data-testid": "tryit-alg" });
  const text = h("textarea", { "data-testid": "tryit-text", rows: 3, spellcheck: "false" }, "Hello from Vaultmort");
  const digestOut = h("code", { "data-testid": "tryit-digest", class: "wrap" }, "—");
  const signatureOut = h("code", { "data-testid": "tryit-signature", class: "wrap" }, "—");
  const result = h("output", { "data-testid": "tryit-result", class: "result", "aria-live": "polite" });
  const sign = h("button", { type: "button", class: "primary", "data-testid": "tryit-sign" }, "Sign");
  const verify = h("button", { type: "button", "data-testid": "tryit-verify", disabled: true }, "Verify");

  const syncAlgs = () => {
    const k = keys.find((x) => x.name === keySelect.value);
    const algs = k && isEc(k) ? EC_ALGS : RSA_ALGS;
    const before = alg.value;
    alg.replaceChildren(...algs.map((a) => h("option", { value: a }, `${a} (${hashOf(a)})`)));
    if ((algs as readonly string[]).includes(before)) alg.value = before;
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
      const digest = await digestBase64(text.value, alg.value);
      digestOut.textContent = digest;
      const signature = await host.signDigest(vault, keySelect.value, alg.value, digest);
      return { key: keySelect.value, algorithm: alg.value, signature };
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
      const digest = await digestBase64(text.value, s.algorithm);
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
    { class: "card tryit", "aria-labelledby": "tryit-title" },
    h("h3", { id: "tryit-title" }, "Try it: sign and verify"),
    h("p", { class: "muted" }, "The text is hashed in this page; only the digest goes to the vault, which signs it with the key."),
    h("div", { class: "row" }, field("Key", keySelect), field("Algorithm", alg)),
    field("Text", text),
    h("div", { class: "actions" }, sign, verify, result),
    h("dl", { class: "props compact" }, h("dt", null, "Digest (base64)"), h("dd", null, digestOut), h("dt", null, "Signature (base64)"), h("dd", null, signatureOut)),
  );

  return {
    element,
    setKeys(next) {
      keys = next;
      const before = keySelect.value;
      keySelect.replaceChildren(...next.map((k) => h("option", { value: k.name }, `${k.name} (${k.kty})`)));
      if (next.some((k) => k.name === before)) keySelect.value = before;
      syncAlgs();
      sign.disabled = next.length === 0;
    },
  };
}
