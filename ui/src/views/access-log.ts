// The access log: every request from every door, allowed or refused, with its caller, client
// address, vault, object (never a value), result, duration and the rule that decided; filters
// by vault, caller, operation, result and time range; and a check of the log's hash chain.

import { h, replace } from "../dom";
import { type AuditRecordView, host } from "../host";
import { busy, field, formatDate, load, localInputToIso, pagedTable } from "../ui";

export function accessLogView(): HTMLElement {
  const vault = h("input", { type: "text", "data-testid": "log-vault", autocomplete: "off", spellcheck: "false" });
  const caller = h("input", { type: "text", "data-testid": "log-caller", autocomplete: "off", spellcheck: "false" });
  const operation = h("input", { type: "text", "data-testid": "log-operation", autocomplete: "off", spellcheck: "false", placeholder: "SecretGet" });
  const outcome = h(
    "select",
    { "data-testid": "log-outcome" },
    h("option", { value: "" }, "Any"),
    h("option", { value: "succeeded" }, "Succeeded"),
    h("option", { value: "denied" }, "Denied"),
    h("option", { value: "failed" }, "Failed"),
  );
  const since = h("input", { type: "datetime-local", "data-testid": "log-since" });
  const until = h("input", { type: "datetime-local", "data-testid": "log-until" });
  const apply = h("button", { type: "submit", class: "primary", "data-testid": "log-apply" }, "Apply");
  const verify = h("button", { type: "button", "data-testid": "log-verify" }, "Verify the chain");
  const verdict = h("p", { "data-testid": "log-verdict", "aria-live": "polite" });
  const list = h("div", { "data-testid": "log-list" });

  const reload = () =>
    load(
      list,
      () =>
        host.queryAccessLog({
          vault: vault.value,
          caller: caller.value,
          operation: operation.value,
          outcome: outcome.value,
          since: localInputToIso(since.value),
          until: localInputToIso(until.value),
          limit: 5000,
        }),
      (records) =>
        pagedTable<AuditRecordView>({
          testid: "log-table",
          items: records,
          headers: ["Time", "Operation", "Caller", "Client", "Vault", "Object", "Result", "ms", "Rule"],
          empty: "No records match.",
          row: (r) =>
            h(
              "tr",
              { "data-testid": `log-row-${r.sequence}`, class: r.status >= 400 ? "denied" : "" },
              h("td", { class: "date" }, formatDate(r.time)),
              h("th", { scope: "row" }, r.operation),
              h("td", { title: r.callerObjectId }, r.callerName),
              h("td", null, r.clientAddress, h("span", { class: "muted" }, ` · ${r.door}`)),
              h("td", null, r.vault ?? "—"),
              h("td", null, r.object ?? "—"),
              h(
                "td",
                null,
                h("span", { class: `badge ${r.status >= 400 ? "days-expired" : "days-ok"}` }, String(r.status)),
                r.errorCode ? ` ${r.errorCode}` : "",
                r.flags.length ? h("span", { class: "badge days-warn" }, r.flags.join(", ")) : null,
              ),
              h("td", null, (r.durationMicros / 1000).toFixed(1)),
              h("td", { class: "rule" }, r.rule),
            ),
        }),
    );

  const form = h(
    "form",
    { class: "toolbar filter", novalidate: true, "aria-label": "Access log filters" },
    field("Vault", vault),
    field("Caller", caller),
    field("Operation", operation),
    field("Result", outcome),
    field("From", since),
    field("Until", until),
    apply,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(apply, "Loading…", reload);
  });
  verify.addEventListener("click", () => {
    void busy(verify, "Verifying…", () => host.verifyAccessLog()).then((v) => {
      if (v === undefined) return;
      replace(
        verdict,
        v.valid
          ? h("span", { class: "badge days-ok" }, `Intact: ${v.records} records chained`)
          : h("span", { class: "badge days-expired" }, `Broken at record ${v.firstBadSequence ?? "?"}: ${v.problems.join("; ")}`),
      );
    });
  });

  void reload();
  return h(
    "section",
    { class: "page", "aria-labelledby": "page-title" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title" }, "Access log"), h("p", { class: "muted" }, "Every request through the desktop app, the CLI and the REST API")),
    form,
    h("div", { class: "toolbar" }, verify, verdict),
    list,
  );
}
