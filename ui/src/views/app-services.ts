// The App Services blade: the PetDash story's last mile, in one resource group at a time.
// App Service plans (create with a SKU, change the SKU), web apps (create, delete, HTTPS Only,
// minimum TLS), a web app's custom domains (the domain check lists the `asuid.<host>` TXT and the
// CNAME / A alternatives, each present or missing, with a button that adds a missing one to its
// practice DNS zone), its TLS/SSL bindings (SNI), practice DNS zones with their records, App
// Service certificates (PFX upload, "Import Key Vault certificate", each Key Vault one's sync
// status and "Sync now"), and the local HTTPS front end: started and stopped here on loopback,
// listing for every host name the certificate it presents now, with days left by the core's clock.
//
// Left out: opening a browser (the app has no opener plugin; "Copy URL" puts a site's address on
// the clipboard instead) and subscriptions other than the default one. Every rule is the
// backend's; errors show its code and message.

import { append, h, replace } from "../dom";
import {
  type AppServicePlanView,
  type DnsZoneView,
  type ExpectedRecordView,
  type FrontEndStatus,
  host,
  HostError,
  type HostNameCheckView,
  type RecordTypeName,
  type ServedSiteView,
  type TlsVersionName,
  type WebAppView,
  type WebCertificateView,
} from "../host";
import { busy, button, daysLeftBadge, field, formatDate, load, notify, readCertificateFileBase64, showError, table, yesNo } from "../ui";
import { confirmButton, copyText, detailsPane } from "./common";

/** The SKUs az accepts, cheapest first. */
const SKUS = ["F1", "D1", "B1", "B2", "B3", "S1", "S2", "S3", "P1V2", "P2V2", "P3V2", "P0V3", "P1V3", "P2V3", "P3V3"] as const;

function skuSelect(testid: string, selected: string): HTMLSelectElement {
  return h("select", { "data-testid": testid }, SKUS.map((s) => h("option", { value: s, selected: s === selected }, s)));
}

function section(title: string, testid: string, ...body: (Node | null)[]): HTMLElement {
  return h("section", { class: "card", "aria-label": title, "data-testid": testid }, h("h2", { class: "section-title" }, title), body);
}

function text(testid: string, placeholder = ""): HTMLInputElement {
  return h("input", { type: "text", "data-testid": testid, autocomplete: "off", spellcheck: "false", placeholder });
}

export function appServicesView(): HTMLElement {
  const groupSelect = h("select", { "data-testid": "as-group", "aria-label": "Resource group" });
  const plans = h("div", { "data-testid": "as-plans" });
  const apps = h("div", { "data-testid": "as-apps" });
  const appDetails = h("div");
  const zones = h("div", { "data-testid": "as-zones" });
  const zoneDetails = h("div");
  const certs = h("div", { "data-testid": "as-certs" });
  const frontEnd = h("div", { "data-testid": "as-front-end" });
  // The page says it is busy (aria-busy) while any refresh runs, so that assistive technology
  // and the real-window test wait for the lists to settle.
  const page = h("section", { class: "page", "aria-labelledby": "page-title", "data-testid": "app-services" });
  let refreshing = 0;
  let openApp: string | null = null;
  let openZone: string | null = null;
  /** The group's plans and certificates, for the web app and binding forms. */
  let planList: AppServicePlanView[] = [];
  let certList: WebCertificateView[] = [];
  /** The vault last chosen to import from, kept when the lists are drawn again. */
  let importVault = "";

  const group = (): string => {
    if (groupSelect.value === "") throw new HostError("BadParameter", "Choose a resource group first (create one with a key vault).");
    return groupSelect.value;
  };

  async function loadGroups(): Promise<void> {
    const groups = await host.listGroups();
    const current = groupSelect.value;
    replace(groupSelect, groups.map((g) => h("option", { value: g.name, selected: g.name === current }, g.name)));
    if (groups.length === 0) replace(groupSelect, h("option", { value: "" }, "No resource groups yet"));
  }

  async function refreshAll(): Promise<void> {
    refreshing += 1;
    page.setAttribute("aria-busy", "true");
    try {
      await Promise.all([loadPlans(), loadCerts(), loadZones(), loadFrontEnd()]);
      await loadApps();
      if (openApp !== null) await showApp(openApp);
      if (openZone !== null) await showZone(openZone);
    } finally {
      refreshing -= 1;
      if (refreshing === 0) page.removeAttribute("aria-busy");
    }
  }

  // ---- Plans ---------------------------------------------------------------------------------

  function loadPlans(): Promise<void> {
    return load(plans, async () => (planList = groupSelect.value === "" ? [] : await host.listAppServicePlans(group())), (list) => {
      const name = text("as-plan-name", "petdash-plan");
      const sku = skuSelect("as-plan-sku", "B1");
      const create = button("Create plan", { class: "primary", "data-testid": "as-plan-create" }, (b) => {
        void busy(b, "Creating…", () => host.createAppServicePlan(group(), name.value.trim(), sku.value)).then((p) => {
          if (p === undefined) return;
          notify(`App Service plan ${p.name} (${p.sku}) created.`);
          void refreshAll();
        });
      });
      return h(
        "div",
        null,
        table(
          ["Name", "Allows", "SKU"],
          list.map((p) => {
            const change = skuSelect(`as-plan-sku-${p.name}`, p.sku);
            return h(
              "tr",
              { "data-testid": `as-plan-row-${p.name}` },
              h("th", { scope: "row" }, p.name, h("div", { class: "hint" }, h("span", { "data-testid": `as-plan-sku-now-${p.name}` }, p.sku), ` · ${p.tier}`)),
              h("td", null, p.allowsSslBindings ? "Custom domains, SNI SSL" : p.allowsCustomDomains ? "Custom domains" : "Default domain only"),
              h(
                "td",
                { class: "row-actions" },
                change,
                button("Apply", { class: "small", "data-testid": `as-plan-sku-save-${p.name}` }, (b) => {
                  void busy(b, "Changing…", () => host.changeAppServicePlanSku(p.resourceGroup, p.name, change.value)).then((changed) => {
                    if (changed === undefined) return;
                    notify(`Plan ${changed.name} is now ${changed.sku}.`);
                    void refreshAll();
                  });
                }),
              ),
            );
          }),
          "No App Service plans in this group yet.",
        ),
        h("div", { class: "row" }, field("Plan name", name), field("SKU", sku, "F1 free, D1 shared (custom domains), B1 and up (SSL bindings)"), h("div", { class: "actions" }, create)),
      );
    });
  }

  // ---- Web apps ------------------------------------------------------------------------------

  function loadApps(): Promise<void> {
    return load(apps, () => (groupSelect.value === "" ? Promise.resolve([]) : host.listWebApps(group())), (list) => {
      const name = text("as-app-name", "petdash-web");
      const plan = h("select", { "data-testid": "as-app-plan" }, planList.map((p) => h("option", { value: p.name }, `${p.name} (${p.sku})`)));
      const create = button("Create web app", { class: "primary", "data-testid": "as-app-create" }, (b) => {
        void busy(b, "Creating…", () => {
          if (plan.value === "") throw new HostError("BadParameter", "Create an App Service plan first.");
          return host.createWebApp(group(), name.value.trim(), plan.value);
        }).then((a) => {
          if (a === undefined) return;
          notify(`Web app ${a.name} created at ${a.defaultHostName}.`);
          openApp = a.name;
          void refreshAll();
        });
      });
      return h(
        "div",
        null,
        table(
          ["Name", "Custom domains", "HTTPS Only", "Minimum TLS", ""],
          list.map((a) =>
            h(
              "tr",
              { "data-testid": `as-app-row-${a.name}` },
              h(
                "th",
                { scope: "row" },
                h("button", { type: "button", class: "link", "data-testid": `as-app-open-${a.name}`, onclick: () => void showApp(a.name) }, a.name),
                h("div", { class: "hint" }, `${a.defaultHostName} · plan ${a.plan}`),
              ),
              h("td", null, a.hostNames.map((n) => n.name).join(", ") || "—"),
              h("td", null, yesNo(a.httpsOnly)),
              h("td", null, a.minTlsVersion),
              h(
                "td",
                null,
                confirmButton({
                  label: "Delete",
                  testid: `as-app-delete-${a.name}`,
                  ariaLabel: `Delete web app ${a.name}`,
                  question: `Delete ${a.name}?`,
                  confirmLabel: "Delete",
                  progress: "Deleting…",
                  work: () => host.deleteWebApp(a.resourceGroup, a.name),
                  done: () => {
                    if (openApp === a.name) {
                      openApp = null;
                      replace(appDetails);
                    }
                    void refreshAll();
                  },
                }),
              ),
            ),
          ),
          "No web apps in this group yet.",
        ),
        h("div", { class: "row" }, field("Web app name", name, "Unique on this machine: it becomes <name>.azurewebsites.localhost"), field("Plan", plan), h("div", { class: "actions" }, create)),
      );
    });
  }

  async function showApp(name: string): Promise<void> {
    openApp = name;
    await load(appDetails, () => Promise.all([host.getWebApp(group(), name), host.listWebCertificates(group())]), ([a, c]) => {
      certList = c;
      return appPane(a);
    });
  }

  function appPane(a: WebAppView): HTMLElement {
    const close = (): void => {
      openApp = null;
      replace(appDetails);
    };
    const httpsOnly = h("input", { type: "checkbox", "data-testid": "as-app-https-only", checked: a.httpsOnly });
    const minTls = h(
      "select",
      { "data-testid": "as-app-min-tls" },
      (["1.2", "1.3"] as const).map((v) => h("option", { value: v, selected: v === a.minTlsVersion }, `TLS ${v}`)),
    );
    const save = (change: { httpsOnly: boolean | null; minTlsVersion: TlsVersionName | null }): void => {
      void host.updateWebAppSettings(a.resourceGroup, a.name, change).then(
        (updated) => {
          notify(`Saved the settings of ${updated.name}.`);
          return showApp(updated.name);
        },
        (e: unknown) => {
          showError(e);
          return showApp(a.name);
        },
      );
    };
    httpsOnly.addEventListener("change", () => save({ httpsOnly: httpsOnly.checked, minTlsVersion: null }));
    minTls.addEventListener("change", () => save({ httpsOnly: null, minTlsVersion: minTls.value === "1.3" ? "1.3" : "1.2" }));

    // Custom domains with their bindings.
    const domains = table(
      ["Custom domain", "SSL state", "Thumbprint", ""],
      a.hostNames.map((n) =>
        h(
          "tr",
          { "data-testid": `as-domain-row-${n.name}` },
          h("th", { scope: "row" }, n.name),
          h("td", { "data-testid": `as-domain-ssl-${n.name}` }, n.sniEnabled ? "SNI SSL" : "Not secure"),
          h("td", null, n.thumbprint === null ? "—" : h("code", { class: "thumb" }, n.thumbprint)),
          h(
            "td",
            { class: "row-actions" },
            n.thumbprint === null
              ? null
              : button("Unbind", { class: "small", "data-testid": `as-unbind-${n.name}` }, (b) => {
                  const thumbprint = n.thumbprint ?? "";
                  void busy(b, "Unbinding…", () => host.unbindWebCertificate(a.resourceGroup, a.name, thumbprint, n.name)).then((x) => {
                    if (x !== undefined) void refreshAll();
                  });
                }),
            confirmButton({
              label: "Remove",
              testid: `as-domain-remove-${n.name}`,
              ariaLabel: `Remove custom domain ${n.name}`,
              question: `Remove ${n.name}?`,
              confirmLabel: "Remove",
              progress: "Removing…",
              work: () => host.removeCustomDomain(a.resourceGroup, a.name, n.name),
              done: () => void refreshAll(),
            }),
          ),
        ),
      ),
      "No custom domains yet: validate one below.",
    );

    const hostName = text("as-domain-host", "www.petdash.com");
    const checkSlot = h("div", { "data-testid": "as-domain-check", "aria-live": "polite" });
    const validate = button("Validate", { "data-testid": "as-domain-validate" }, (b) => {
      void busy(b, "Checking…", () => host.checkCustomDomain(a.resourceGroup, a.name, hostName.value.trim())).then((c) => {
        if (c !== undefined) replace(checkSlot, checkView(a, c, () => validate.click()));
      });
    });

    // TLS/SSL bindings.
    const bindHost = h("select", { "data-testid": "as-bind-host" }, a.hostNames.map((n) => h("option", { value: n.name }, n.name)));
    const bindCert = h(
      "select",
      { "data-testid": "as-bind-cert" },
      certList.map((c) => h("option", { value: c.thumbprint }, `${c.name} (${c.thumbprint})`)),
    );
    const bind = button("Add binding", { class: "primary", "data-testid": "as-bind-submit" }, (b) => {
      void busy(b, "Binding…", () => {
        if (bindHost.value === "" || bindCert.value === "") throw new HostError("BadParameter", "Choose a custom domain and a certificate.");
        return host.bindWebCertificate(a.resourceGroup, a.name, bindCert.value, bindHost.value);
      }).then((x) => {
        if (x === undefined) return;
        notify(`${bindHost.value} is bound with SNI SSL.`);
        void refreshAll();
      });
    });

    return detailsPane(
      a.name,
      "as-app-details",
      close,
      h(
        "dl",
        { class: "props compact" },
        h("dt", null, "Default domain"),
        h("dd", { "data-testid": "as-app-default-host" }, a.defaultHostName),
        h("dt", null, "Custom domain verification id"),
        h("dd", null, h("code", { "data-testid": "as-app-verification-id" }, a.customDomainVerificationId)),
        h("dt", null, "Inbound IP address"),
        h("dd", null, a.inboundIpAddress),
      ),
      h("div", { class: "row checks" }, h("label", null, httpsOnly, "HTTPS Only"), field("Minimum TLS version", minTls)),
      h("h3", null, "Custom domains"),
      domains,
      h("div", { class: "row" }, field("Custom domain", hostName, "Validate shows the DNS records App Service looks for."), h("div", { class: "actions" }, validate)),
      checkSlot,
      h("h3", null, "TLS/SSL bindings"),
      a.hostNames.length === 0 || certList.length === 0
        ? h("p", { class: "muted" }, "A binding needs a custom domain and a certificate in this group.")
        : h("div", { class: "row" }, field("Custom domain", bindHost), field("Certificate", bindCert), field("TLS/SSL type", h("select", { disabled: true }, h("option", null, "SNI SSL"))), h("div", { class: "actions" }, bind)),
    );
  }

  /** The records the domain check looks for, each present or missing, with a button adding a missing one. */
  function checkView(a: WebAppView, c: HostNameCheckView, recheck: () => void): HTMLElement {
    const addRecord = (r: ExpectedRecordView) =>
      button(`Add to ${r.zone ?? "zone"}`, { class: "small", "data-testid": `as-record-${r.recordType}-add` }, (b) => {
        void busy(b, "Adding…", () =>
          host.changeDnsRecord(a.resourceGroup, r.zone ?? "", { name: r.name, recordType: r.recordType, value: r.value, ttl: null, mode: r.recordType === "CNAME" ? "set" : "add" }),
        ).then((x) => {
          if (x === undefined) return;
          notify(`Added the ${r.recordType} record ${r.name}.`);
          recheck();
          if (openZone !== null) void showZone(openZone);
        });
      });
    const add = button("Add custom domain", { class: "primary", "data-testid": "as-domain-add" }, (b) => {
      void busy(b, "Adding…", () => host.addCustomDomain(a.resourceGroup, a.name, c.hostName)).then((x) => {
        if (x === undefined) return;
        notify(`${c.hostName} added to ${a.name}.`);
        void refreshAll();
      });
    });
    add.disabled = !c.verified;
    return h(
      "div",
      null,
      c.zone === null
        ? h("p", { class: "note warn", "data-testid": "as-domain-no-zone" }, `No practice DNS zone holds ${c.hostName}: create one for its domain under DNS zones, then validate again.`)
        : h("p", { class: "muted" }, `Records in zone ${c.zone}: the TXT proves the domain is yours; one of the CNAME or A records routes it.`),
      table(
        ["Purpose", "Type", "Name", "Value", "Status", ""],
        c.records.map((r) =>
          h(
            "tr",
            { "data-testid": `as-record-${r.recordType}` },
            h("td", null, r.purpose),
            h("td", null, r.recordType),
            h("td", null, h("code", null, r.name)),
            h("td", null, h("code", { class: "wrap" }, r.value)),
            h("td", { "data-testid": `as-record-${r.recordType}-status` }, r.present ? h("span", { class: "badge days-ok" }, "Present") : h("span", { class: "badge days-warn" }, "Missing")),
            h("td", null, r.present || r.zone === null ? null : addRecord(r)),
          ),
        ),
        "No records to look for.",
      ),
      h("p", { "data-testid": "as-domain-verdict" }, c.verified ? "Verified: the domain can be added." : "Not verified yet: add the missing records."),
      h("div", { class: "actions" }, add),
    );
  }

  // ---- DNS zones -----------------------------------------------------------------------------

  function loadZones(): Promise<void> {
    return load(zones, () => (groupSelect.value === "" ? Promise.resolve([]) : host.listDnsZones(group())), (list) => {
      const name = text("as-zone-name", "petdash.com");
      const create = button("Create zone", { class: "primary", "data-testid": "as-zone-create" }, (b) => {
        void busy(b, "Creating…", () => host.createDnsZone(group(), name.value.trim())).then((z) => {
          if (z === undefined) return;
          notify(`DNS zone ${z.name} created.`);
          openZone = z.name;
          void refreshAll();
        });
      });
      return h(
        "div",
        null,
        table(
          ["Zone", "Record sets", ""],
          list.map((z) =>
            h(
              "tr",
              { "data-testid": `as-zone-row-${z.name}` },
              h("th", { scope: "row" }, h("button", { type: "button", class: "link", "data-testid": `as-zone-open-${z.name}`, onclick: () => void showZone(z.name) }, z.name)),
              h("td", null, String(z.recordSets.length)),
              h(
                "td",
                null,
                confirmButton({
                  label: "Delete",
                  testid: `as-zone-delete-${z.name}`,
                  ariaLabel: `Delete zone ${z.name}`,
                  question: `Delete ${z.name} and its records?`,
                  confirmLabel: "Delete",
                  progress: "Deleting…",
                  work: () => host.deleteDnsZone(z.resourceGroup, z.name),
                  done: () => {
                    if (openZone === z.name) {
                      openZone = null;
                      replace(zoneDetails);
                    }
                    void refreshAll();
                  },
                }),
              ),
            ),
          ),
          "No practice DNS zones in this group yet.",
        ),
        h("div", { class: "row" }, field("Zone name", name, "The domain, e.g. petdash.com"), h("div", { class: "actions" }, create)),
      );
    });
  }

  async function showZone(name: string): Promise<void> {
    openZone = name;
    await load(zoneDetails, () => host.getDnsZone(group(), name), (z) => zonePane(z));
  }

  function zonePane(z: DnsZoneView): HTMLElement {
    const type = h("select", { "data-testid": "as-record-type" }, (["TXT", "CNAME", "A"] as const).map((t) => h("option", { value: t }, t)));
    const name = text("as-record-name", "www");
    const value = text("as-record-value");
    const recordType = (): RecordTypeName => (type.value === "CNAME" ? "CNAME" : type.value === "A" ? "A" : "TXT");
    const submit = button("Add record", { class: "primary", "data-testid": "as-record-submit" }, (b) => {
      const t = recordType();
      void busy(b, "Saving…", () => host.changeDnsRecord(z.resourceGroup, z.name, { name: name.value.trim(), recordType: t, value: value.value.trim(), ttl: null, mode: t === "CNAME" ? "set" : "add" })).then((x) => {
        if (x === undefined) return;
        notify(`${t} ${x.name} now holds ${x.values.join(", ")}.`);
        void showZone(z.name);
        void loadZones();
      });
    });
    const rows = z.recordSets.flatMap((r) =>
      r.values.map((v) =>
        h(
          "tr",
          { "data-testid": `as-zone-record-${r.name}-${r.recordType}` },
          h("th", { scope: "row" }, h("code", null, r.name)),
          h("td", null, r.recordType),
          h("td", null, h("code", { class: "wrap" }, v)),
          h("td", null, String(r.ttl)),
          h(
            "td",
            null,
            button("Remove", { class: "small danger", "data-testid": `as-zone-record-remove-${r.name}-${r.recordType}` }, (b) => {
              void busy(b, "Removing…", () => host.changeDnsRecord(z.resourceGroup, z.name, { name: r.name, recordType: r.recordType, value: v, ttl: null, mode: "remove" })).then((x) => {
                if (x !== undefined) void showZone(z.name);
              });
            }),
          ),
        ),
      ),
    );
    return detailsPane(
      z.name,
      "as-zone-details",
      () => {
        openZone = null;
        replace(zoneDetails);
      },
      table(["Name", "Type", "Value", "TTL", ""], rows, "The zone holds no records yet."),
      h("div", { class: "row" }, field("Type", type), field("Name", name, "Relative to the zone: www, asuid.www, @"), field("Value", value), h("div", { class: "actions" }, submit)),
    );
  }

  // ---- Certificates --------------------------------------------------------------------------

  function loadCerts(): Promise<void> {
    return load(certs, async () => (certList = groupSelect.value === "" ? [] : await host.listWebCertificates(group())), (list) =>
      h(
        "div",
        null,
        table(
          ["Name", "Thumbprint", "Expires", "Key Vault sync", ""],
          list.map((c) => certRow(c)),
          "No certificates in this group yet: import one from Key Vault or upload a PFX.",
        ),
        h("div", { class: "row" }, importForm(), uploadForm()),
      ),
    );
  }

  function certRow(c: WebCertificateView): HTMLTableRowElement {
    const sync = c.sync;
    return h(
      "tr",
      { "data-testid": `as-cert-row-${c.name}` },
      h(
        "th",
        { scope: "row" },
        c.name,
        h("div", { class: "hint" }, c.source === "keyVault" ? `Key Vault ${c.keyVault ?? ""}/${c.keyVaultSecret ?? ""}` : "Uploaded PFX"),
        h("div", { class: "hint" }, `For ${c.hostNames.join(", ") || c.subjectName}`),
      ),
      h("td", null, h("code", { class: "thumb", "data-testid": `as-cert-thumbprint-${c.name}` }, c.thumbprint)),
      h("td", { class: "date" }, formatDate(c.expirationDate)),
      h(
        "td",
        { title: sync?.message ?? "" },
        sync === null
          ? "—"
          : [
              h("span", { class: `badge ${sync.keyVaultSecretStatus === "Succeeded" ? "days-ok" : "days-critical"}`, "data-testid": `as-cert-sync-${c.name}` }, sync.keyVaultSecretStatus),
              sync.message ? h("div", { class: "hint" }, sync.message) : null,
              h(
                "div",
                { class: "hint" },
                `Last ${formatDate(sync.lastAttempt)}`,
                sync.lastSuccess !== sync.lastAttempt ? ` (last success ${formatDate(sync.lastSuccess)})` : "",
                ` · next ${formatDate(sync.nextSync)}`,
              ),
            ],
      ),
      h(
        "td",
        { class: "row-actions" },
        c.source === "keyVault"
          ? button("Sync now", { class: "small", "data-testid": `as-cert-sync-now-${c.name}` }, (b) => {
              void busy(b, "Syncing…", () => host.syncWebCertificates(c.resourceGroup, c.thumbprint)).then((synced) => {
                if (synced === undefined) return;
                notify(`Synced ${c.name}: ${synced[0]?.sync?.keyVaultSecretStatus ?? "done"}.`);
                void refreshAll();
              });
            })
          : null,
        confirmButton({
          label: "Delete",
          testid: `as-cert-delete-${c.name}`,
          ariaLabel: `Delete certificate ${c.name}`,
          question: `Delete ${c.name}?`,
          confirmLabel: "Delete",
          progress: "Deleting…",
          work: () => host.deleteWebCertificate(c.resourceGroup, c.thumbprint),
          done: () => void refreshAll(),
        }),
      ),
    );
  }

  /** "Import Key Vault certificate": pick a vault, then one of its certificates. */
  function importForm(): HTMLElement {
    const vault = h("select", { "data-testid": "as-import-vault" });
    const cert = h("select", { "data-testid": "as-import-cert" });
    const name = text("as-import-name", "<vault>-<certificate>");
    const loadCerts = async () => {
      replace(cert);
      if (vault.value === "") return;
      const list = await host.listCertificates(vault.value);
      replace(
        cert,
        list.length === 0 ? h("option", { value: "" }, "This vault has no certificates") : list.map((c) => h("option", { value: c.name }, `${c.name} (${c.subject})`)),
      );
    };
    vault.addEventListener("change", () => {
      importVault = vault.value;
      void loadCerts().catch(showError);
    });
    void host
      .listVaults()
      .then((vaults) => {
        replace(vault, vaults.map((v) => h("option", { value: v.name, selected: v.name === importVault }, v.name)));
        return loadCerts();
      })
      .catch(showError);
    const submit = button("Import", { class: "primary", "data-testid": "as-import-submit" }, (b) => {
      void busy(b, "Importing…", () => {
        if (vault.value === "" || cert.value === "") throw new HostError("BadParameter", "Choose a vault and one of its certificates.");
        return host.importKeyVaultCertificate(group(), vault.value, cert.value, name.value.trim() || null);
      }).then((c) => {
        if (c === undefined) return;
        notify(`Imported ${c.name} (${c.thumbprint}).`);
        void refreshAll();
      });
    });
    return h(
      "form",
      { class: "inline-form", "aria-label": "Import Key Vault certificate", onsubmit: (ev) => ev.preventDefault() },
      h("h3", null, "Import Key Vault certificate"),
      h("p", { class: "hint" }, "App Service reads the certificate's secret as “Microsoft Azure App Service”, which needs secret Get on the vault (Access configuration)."),
      field("Key vault", vault),
      field("Certificate", cert),
      field("Name (optional)", name),
      h("div", { class: "actions" }, submit),
    );
  }

  /** Upload a PFX with its password; the page reads the file, bounded like every certificate file. */
  function uploadForm(): HTMLElement {
    const file = h("input", { type: "file", "data-testid": "as-upload-file", accept: ".pfx,.p12" });
    const password = h("input", { type: "password", "data-testid": "as-upload-password", autocomplete: "off" });
    const name = text("as-upload-name", "thumbprint when empty");
    const submit = button("Upload", { class: "primary", "data-testid": "as-upload-submit" }, (b) => {
      void busy(b, "Uploading…", async () => {
        const chosen = file.files?.[0];
        if (chosen === undefined) throw new HostError("BadParameter", "Choose a PFX file.");
        const data = await readCertificateFileBase64(chosen);
        return host.uploadWebCertificate(group(), { name: name.value.trim() || null, data, password: password.value === "" ? null : password.value });
      }).then((c) => {
        password.value = "";
        if (c === undefined) return;
        notify(`Uploaded ${c.name} (${c.thumbprint}).`);
        void refreshAll();
      });
    });
    return h(
      "form",
      { class: "inline-form", "aria-label": "Upload a PFX certificate", onsubmit: (ev) => ev.preventDefault() },
      h("h3", null, "Upload certificate (.pfx)"),
      field("PFX file", file),
      field("Password", password),
      field("Name (optional)", name),
      h("div", { class: "actions" }, submit),
    );
  }

  // ---- Front end -----------------------------------------------------------------------------

  function loadFrontEnd(): Promise<void> {
    return load(frontEnd, () => host.frontEndStatus(), (s) => frontEndPane(s));
  }

  function frontEndPane(s: FrontEndStatus): HTMLElement {
    const httpsPort = h("input", { type: "number", min: "0", max: "65535", value: String(s.httpsPort ?? 0), "data-testid": "as-fe-https-port", disabled: s.running, inputmode: "numeric" });
    const httpPort = h("input", { type: "number", min: "0", max: "65535", value: String(s.httpPort ?? 0), "data-testid": "as-fe-http-port", disabled: s.running, inputmode: "numeric" });
    const toggle = button(s.running ? "Stop" : "Start", { class: s.running ? "danger" : "primary", "data-testid": "as-fe-toggle", "aria-pressed": String(s.running) }, (b) => {
      void busy(b, s.running ? "Stopping…" : "Starting…", () => (s.running ? host.stopFrontEnd() : host.startFrontEnd(Number(httpsPort.value), Number(httpPort.value)))).then((next) => {
        if (next === undefined) return;
        notify(next.running ? `Front end serving HTTPS on port ${next.httpsPort ?? "?"}.` : "Front end stopped.");
        replace(frontEnd, frontEndPane(next));
      });
    });
    const refresh = button("↻ Refresh", { class: "small", "data-testid": "as-fe-refresh" }, (b) => void busy(b, "Loading…", loadFrontEnd));
    const state = s.running
      ? h("span", { class: "badge days-ok", "data-testid": "as-fe-state" }, `Running: HTTPS ${s.address}:${s.httpsPort ?? "?"}, HTTP ${s.address}:${s.httpPort ?? "?"}`)
      : h("span", { class: "badge", "data-testid": "as-fe-state" }, "Stopped");
    return h(
      "div",
      null,
      h("div", { class: "row" }, field("HTTPS port", httpsPort, "0 picks a free port"), field("HTTP port", httpPort, "0 picks a free port"), h("div", { class: "actions" }, toggle, state, refresh)),
      s.running
        ? table(["Host name", "Days left", "Certificate presented", "Thumbprint"], s.sites.map((site) => servedRow(site)), "No web apps to serve yet.")
        : h("p", { class: "muted" }, "Start the front end to serve every web app on loopback, each custom domain with its bound certificate."),
      h("p", { class: "hint" }, `Days left are counted from the installation's clock: ${formatDate(s.now)}. A browser reaches a custom domain once the name resolves to 127.0.0.1 (an /etc/hosts line, or curl --resolve).`),
    );
  }

  function servedRow(site: ServedSiteView): HTMLTableRowElement {
    const copy = button("Copy URL", { class: "small", "data-testid": `as-served-copy-${site.host}`, "aria-label": `Copy the URL of ${site.host}`, title: "The app cannot open a browser; paste the URL into one." }, () => {
      void copyText(site.url).then(() => notify(`Copied ${site.url}: open it in a browser.`));
    });
    return h(
      "tr",
      { "data-testid": `as-served-row-${site.host}` },
      h(
        "th",
        { scope: "row" },
        site.host,
        site.defaultHost ? h("span", { class: "muted" }, " (default)") : null,
        h("div", { class: "hint" }, `Web app ${site.app} `, copy),
      ),
      h("td", { "data-testid": `as-served-days-${site.host}`, title: `Expires ${formatDate(site.expires)}` }, daysLeftBadge(site.daysLeft)),
      h(
        "td",
        { title: site.problem ?? "" },
        h("span", { "data-testid": `as-served-origin-${site.host}` }, site.origin === "bound" ? "Bound certificate" : "Built-in *.azurewebsites.localhost"),
        h("div", { class: "hint" }, "Serial ", h("code", { class: "thumb", "data-testid": `as-served-serial-${site.host}` }, site.serialNumber)),
        site.problem === null ? null : h("div", { class: "hint" }, site.problem),
      ),
      h("td", null, h("code", { class: "thumb", "data-testid": `as-served-thumbprint-${site.host}` }, site.thumbprint)),
    );
  }

  groupSelect.addEventListener("change", () => {
    openApp = null;
    openZone = null;
    replace(appDetails);
    replace(zoneDetails);
    void refreshAll();
  });
  page.setAttribute("aria-busy", "true");
  void loadGroups()
    .then(refreshAll)
    .catch((e: unknown) => {
      page.removeAttribute("aria-busy");
      showError(e);
    });

  append(page, [
    h(
      "header",
      { class: "page-header" },
      h("h1", { id: "page-title" }, "App Services"),
      h("p", { class: "muted" }, "Practice web apps: import a Key Vault certificate, bind it to a custom domain and see it served over HTTPS on this machine"),
    ),
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "App Services actions" },
      field("Resource group", groupSelect),
      button("↻ Refresh", { "data-testid": "as-refresh" }, (b) => void busy(b, "Loading…", () => loadGroups().then(refreshAll))),
    ),
    section("App Service plans", "as-plans-section", plans),
    section("Web apps", "as-apps-section", apps, appDetails),
    section("DNS zones", "as-zones-section", zones, zoneDetails),
    section("Certificates", "as-certs-section", certs),
    section("Front end", "as-front-end-section", frontEnd),
  ]);
  return page;
}
