// The unlock screen: the first thing shown when the store is not open.
// First run: choose a passphrase (typed twice, with a local strength hint); later runs: type it.
// The backend decides what is right (WrongPassphrase, BadParameter); this screen only helps.

import { h } from "../dom";
import { host, type SessionStatus } from "../host";
import { alertRegion, busy, field, showError } from "../ui";

export const MIN_PASSPHRASE_LEN = 8;

/** A rough local estimate (0-4) from length and character variety; only a hint, never a gate. */
export function passphraseStrength(p: string): { score: number; label: string } {
  if (p.length === 0) return { score: 0, label: "" };
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length;
  const words = p.trim().split(/\s+/).length;
  let score = 0;
  if (p.length >= MIN_PASSPHRASE_LEN) score += 1;
  if (p.length >= 12) score += 1;
  if (p.length >= 16 || words >= 4) score += 1;
  if (classes >= 3) score += 1;
  if (p.length < MIN_PASSPHRASE_LEN) score = 0;
  const labels = ["Too short", "Weak", "Fair", "Good", "Strong"];
  return { score, label: labels[score] ?? "Strong" };
}

export function unlockView(status: SessionStatus, onUnlocked: (s: SessionStatus) => void): HTMLElement {
  const creating = status.firstRun;
  const pass = h("input", {
    type: "password",
    autocomplete: creating ? "new-password" : "current-password",
    "data-testid": "unlock-passphrase",
    required: true,
    minlength: creating ? MIN_PASSPHRASE_LEN : null,
  });
  const confirm = h("input", {
    type: "password",
    autocomplete: "new-password",
    "data-testid": "unlock-confirm",
    required: true,
  });
  const meter = h("meter", { min: 0, max: 4, low: 2, high: 3, optimum: 4, value: 0, "aria-hidden": "true" });
  const strengthText = h("span", { "data-testid": "unlock-strength" });
  const submit = h(
    "button",
    { type: "submit", class: "primary", "data-testid": "unlock-submit" },
    creating ? "Create store" : "Unlock",
  );

  const updateStrength = () => {
    const { score, label } = passphraseStrength(pass.value);
    meter.value = score;
    strengthText.textContent = pass.value.length === 0 ? `At least ${MIN_PASSPHRASE_LEN} characters.` : `${label}. At least ${MIN_PASSPHRASE_LEN} characters; a few unrelated words make a strong passphrase.`;
  };
  updateStrength();
  if (creating) pass.addEventListener("input", updateStrength);

  const form = h(
    "form",
    { class: "unlock-form", novalidate: true },
    field(
      creating ? "New passphrase" : "Passphrase",
      pass,
      creating ? h("span", { class: "strength" }, meter, strengthText) : undefined,
    ),
    creating ? field("Confirm passphrase", confirm) : null,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (creating) {
      if (pass.value.length < MIN_PASSPHRASE_LEN) {
        showError({ code: "BadParameter", message: `The passphrase must be at least ${MIN_PASSPHRASE_LEN} characters long.` });
        pass.focus();
        return;
      }
      if (pass.value !== confirm.value) {
        showError({ code: "BadParameter", message: "The two passphrases differ." });
        confirm.focus();
        return;
      }
    }
    void busy(submit, creating ? "Creating store…" : "Unlocking…", () => host.unlock(pass.value)).then((s) => {
      if (s?.unlocked) {
        pass.value = "";
        confirm.value = "";
        onUnlocked(s);
      } else {
        pass.select();
      }
    });
  });

  queueMicrotask(() => pass.focus());
  return h(
    "main",
    { class: "unlock", "data-testid": "unlock-view" },
    h(
      "section",
      { class: "unlock-card", "aria-labelledby": "unlock-title" },
      h("div", { class: "brand-mark", "aria-hidden": "true" }, "V"),
      h("h1", { id: "unlock-title" }, creating ? "Create your Vaultmort store" : "Unlock Vaultmort"),
      h(
        "p",
        { class: "muted" },
        creating
          ? "Your vaults are encrypted with a key derived from this passphrase. There is no way to recover it: write it down."
          : "Type the passphrase that protects your vaults.",
      ),
      alertRegion,
      form,
      h("p", { class: "muted small" }, "Home: ", h("code", null, status.home)),
    ),
  );
}
