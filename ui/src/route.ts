// Where the user is, kept in the URL hash so Back/Forward and reloads work under
// tauri://localhost and file:// alike: #/ , #/create-vault , #/expiring , #/outbox , #/directory , #/access-log , #/rest-api , #/hsm , #/app-services ,
// #/vault/<name>/<tab> , and #/vault/<name>/deleted/<kind> for one kind of deleted objects.

import type { ObjectKindName } from "./host";

export const TABS = ["overview", "keys", "secrets", "certificates", "access", "iam", "networking", "deleted"] as const;
export type Tab = (typeof TABS)[number];
export const TAB_LABELS: Record<Tab, string> = {
  overview: "Overview",
  keys: "Keys",
  secrets: "Secrets",
  certificates: "Certificates",
  access: "Access configuration",
  iam: "Access control (IAM)",
  networking: "Networking",
  deleted: "Deleted objects",
};

export type Route =
  | { page: "vaults" }
  | { page: "create-vault"; group?: string }
  | { page: "expiring" }
  | { page: "outbox" }
  | { page: "directory" }
  | { page: "access-log" }
  | { page: "rest-api" }
  | { page: "hsm" }
  | { page: "app-services" }
  | { page: "vault"; vault: string; tab: Tab; kind?: ObjectKindName };

const KINDS: readonly string[] = ["key", "secret", "certificate"] satisfies ObjectKindName[];
function isKind(s: string | undefined): s is ObjectKindName {
  return s !== undefined && KINDS.includes(s);
}

export function isTab(s: string | undefined): s is Tab {
  return (TABS as readonly (string | undefined)[]).includes(s);
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  switch (parts[0]) {
    case "create-vault":
      return parts[1] ? { page: "create-vault", group: parts[1] } : { page: "create-vault" };
    case "expiring":
      return { page: "expiring" };
    case "outbox":
      return { page: "outbox" };
    case "directory":
      return { page: "directory" };
    case "access-log":
      return { page: "access-log" };
    case "rest-api":
      return { page: "rest-api" };
    case "hsm":
      return { page: "hsm" };
    case "app-services":
      return { page: "app-services" };
    case "vault": {
      const vault = parts[1];
      if (!vault) return { page: "vaults" };
      const tab = parts[2];
      const kind = parts[3];
      if (tab === "deleted" && isKind(kind)) return { page: "vault", vault, tab, kind };
      return { page: "vault", vault, tab: isTab(tab) ? tab : "overview" };
    }
    default:
      return { page: "vaults" };
  }
}

export function href(route: Route): string {
  switch (route.page) {
    case "vaults":
      return "#/";
    case "create-vault":
      return route.group ? `#/create-vault/${encodeURIComponent(route.group)}` : "#/create-vault";
    case "expiring":
      return "#/expiring";
    case "outbox":
      return "#/outbox";
    case "directory":
      return "#/directory";
    case "access-log":
      return "#/access-log";
    case "rest-api":
      return "#/rest-api";
    case "hsm":
      return "#/hsm";
    case "app-services":
      return "#/app-services";
    case "vault": {
      const base = `#/vault/${encodeURIComponent(route.vault)}/${route.tab}`;
      return route.tab === "deleted" && route.kind ? `${base}/${route.kind}` : base;
    }
  }
}

export function go(route: Route): void {
  location.hash = href(route);
}
