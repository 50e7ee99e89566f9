// "Create a key vault": name (checked live by the backend's checkVaultName), resource group
// (an existing one, or a new one created inline on submit), location, pricing tier and the
// recovery options (soft-delete retention 7-90 days, purge protection).

import { h, uid } from "../dom";
import { type GroupView, host, HostError, type VaultView } from "../host";
import { go } from "../route";
import { busy, field, showError } from "../ui";

export const LOCATIONS = [
  "westeurope",
  "northeurope",
  "eastus",
  "eastus2",
  "westus2",
  "centralus",
  "uksouth",
  "germanywestcentral",
  "francecentral",
  "swedencentral",
  "japaneast",
  "australiaeast",
] as const;

export function createVaultView(initialGroup: string | undefined, onCreated: (v: VaultView) => Promise<void>): HTMLElement {
  let groups: GroupView[] = [];

  const name = h("input", { type: "text", "data-testid": "vault-name", autocomplete: "off", spellcheck: "false", required: true, maxlength: 24 });
  const nameCheck = h("span", { "data-testid": "vault-name-check" }, "3-24 letters, digits and hyphens; globally unique on this machine.");
  const groupList = h("datalist", { id: uid("groups") });
  const group = h("input", { type: "text", "data-testid": "vault-group", list: groupList.id, autocomplete: "off", required: true, value: initialGroup ?? "" });
  const groupNote = h("span", { "data-testid": "vault-group-note" });
  const location = h("select", { "data-testid": "vault-location" }, LOCATIONS.map((l) => h("option", { value: l }, l)));
  const skuStandard = h("input", { type: "radio", name: "sku", value: "standard", checked: true, "data-testid": "vault-sku-standard" });
  const skuPremium = h("input", { type: "radio", name: "sku", value: "premium", "data-testid": "vault-sku-premium" });
  const retention = h("input", { type: "number", min: 7, max: 90, step: 1, value: 90, required: true, "data-testid": "vault-retention" });
  const purge = h("input", { type: "checkbox", "data-testid": "vault-purge-protection" });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "create-vault-submit" }, "Create");

  // Live name check: each keystroke asks the backend; only the newest answer is shown.
  let checkSeq = 0;
  let nameProblem: string | null = "empty";
  const checkName = async () => {
    const seq = ++checkSeq;
    const value = name.value;
    if (value === "") {
      nameProblem = "empty";
      nameCheck.textContent = "3-24 letters, digits and hyphens; globally unique on this machine.";
      nameCheck.className = "";
      name.removeAttribute("aria-invalid");
      return;
    }
    try {
      const problem = await host.checkVaultName(value);
      if (seq !== checkSeq) return;
      nameProblem = problem;
      nameCheck.textContent = problem ?? "✓ Valid name";
      nameCheck.className = problem ? "invalid" : "valid";
      if (problem) name.setAttribute("aria-invalid", "true");
      else name.removeAttribute("aria-invalid");
    } catch (e) {
      if (seq === checkSeq) showError(e);
    }
  };
  name.addEventListener("input", () => void checkName());

  const updateGroupNote = () => {
    const existing = groups.find((g) => g.name === group.value.trim());
    if (group.value.trim() === "") groupNote.textContent = groups.length ? "Pick an existing group or type a new name." : "Type a name: the group is created with the vault.";
    else if (existing) {
      groupNote.textContent = `Existing group in ${existing.location}.`;
      location.value = existing.location;
    } else groupNote.textContent = `New resource group: created in ${location.value} with the vault.`;
  };
  group.addEventListener("input", updateGroupNote);
  location.addEventListener("change", updateGroupNote);

  void host.listGroups().then(
    (gs) => {
      groups = gs;
      groupList.replaceChildren(...gs.map((g) => h("option", { value: g.name }, g.location)));
      if (group.value === "" && gs.length === 1 && gs[0]) group.value = gs[0].name;
      updateGroupNote();
    },
    (e: unknown) => showError(e),
  );
  updateGroupNote();

  const form = h(
    "form",
    { class: "wizard", novalidate: true, "aria-labelledby": "page-title" },
    h(
      "fieldset",
      null,
      h("legend", null, "Project details"),
      field("Resource group", group, groupNote),
      groupList,
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Instance details"),
      field("Key vault name", name, nameCheck),
      field("Region", location),
      h(
        "div",
        { class: "field", role: "radiogroup", "aria-labelledby": "sku-label" },
        h("span", { class: "label", id: "sku-label" }, "Pricing tier"),
        h("label", { class: "choice" }, skuStandard, " Standard"),
        h("label", { class: "choice" }, skuPremium, " Premium (HSM-protected keys)"),
      ),
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Recovery options"),
      field("Days to retain deleted vaults and objects", retention, "7-90 days."),
      h(
        "div",
        { class: "field" },
        h("label", { class: "choice" }, purge, " Enable purge protection"),
        h("div", { class: "hint" }, "Once on, purge protection cannot be turned off: deleted objects stay until their retention ends."),
      ),
    ),
    h(
      "div",
      { class: "actions" },
      submit,
      h("button", { type: "button", "data-testid": "create-vault-cancel", onclick: () => history.back() }, "Cancel"),
    ),
  );

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(submit, "Creating…", async () => {
      await checkName();
      if (nameProblem !== null) {
        name.focus();
        throw new HostError("BadParameter", nameProblem === "empty" ? "Enter a key vault name." : nameProblem);
      }
      const groupName = group.value.trim();
      if (groupName === "") {
        group.focus();
        throw new HostError("BadParameter", "Choose or name a resource group.");
      }
      const days = Number(retention.value);
      if (!Number.isInteger(days) || days < 7 || days > 90) {
        retention.focus();
        throw new HostError("BadParameter", "Soft-delete retention must be 7-90 days.");
      }
      if (!groups.some((g) => g.name === groupName)) {
        groups.push(await host.createGroup(groupName, location.value));
      }
      const vault = await host.createVault({
        name: name.value,
        resourceGroup: groupName,
        location: location.value,
        sku: skuPremium.checked ? "premium" : "standard",
        retentionDays: days,
        purgeProtection: purge.checked,
      });
      await onCreated(vault);
      go({ page: "vault", vault: vault.name, tab: "overview" });
    });
  });

  queueMicrotask(() => (group.value ? name : group).focus());
  return h(
    "section",
    { class: "page" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title" }, "Create a key vault"), h("p", { class: "muted" }, "Basics")),
    form,
  );
}
