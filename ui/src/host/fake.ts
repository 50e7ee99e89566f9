// An in-memory stand-in for the backend, used when the page is not inside Tauri (a plain
// browser: development, screenshot tests). It is not a model of Key Vault, only enough of one
// to click through every view.
//
// Behaviour (all state lives in this page and is lost on reload):
// - Scenario from the page's `?fake=` query parameter:
//     `first-run` (default): no store yet; `unlock(p)` creates it with p (at least 8 characters,
//                 else BadParameter) and unlocks.
//     `locked`:   a store exists; only the passphrase "correct horse battery" unlocks it, any
//                 other gives WrongPassphrase.
//     `demo`:     already unlocked, with two resource groups, three vaults and a few secrets, keys
//                 and certificates, some of them expiring within 30 days.
// - Every data command before unlock fails with Locked, as the real shell does.
// - checkVaultName applies Azure's rule: 3-24 characters, letters, digits and hyphens, starting
//   with a letter, ending with a letter or digit, no "--".
// - createVault: the name must pass that rule and be unused (else Conflict); the resource group
//   must exist (else ResourceGroupNotFound); retention 7-90 days (else BadParameter); a null
//   location takes the group's.
// - Secrets are versioned (setSecret adds a version; the list shows the latest). deleteSecret
//   moves a secret to the deleted list (purge date = now + the vault's retention days);
//   recoverSecret moves it back; setting a deleted secret's name gives Conflict, as in Azure.
// - Keys: RSA 2048/3072/4096 or EC P-256/P-384/P-521/P-256K. signDigest does NO cryptography: the
//   "signature" is a base64 token naming the key, algorithm and digest, so verifyDigest is true
//   exactly when the same key signed the same digest with the same algorithm. The digest length
//   must fit the algorithm (32/48/64 bytes for *256(K)/*384/*512) and an ES algorithm must fit the
//   curve, else BadParameter.
// - Certificates: createSelfSignedCertificate makes a record with a random thumbprint valid from
//   now for validityMonths (1-1200) months.
// - expiringSoon(days) lists keys, secrets and certificates of every vault whose expiry is at most
//   `days` days away (already expired included), soonest first.
// - Each call answers after a short delay (about 60 ms; 400 ms for unlock and key creation) so that
//   progress text can be seen.

import { HostError } from "./error";
import type { Host } from "./index";
import type {
  CertificateItem,
  DeletedItem,
  ExpiringItem,
  GroupView,
  KeyItem,
  SecretItem,
  VaultView,
} from "./types";

const DEMO_PASSPHRASE = "correct horse battery";
const DAY_MS = 86_400_000;

type SecretRecord = { versions: { version: string; value: string; created: string }[]; item: SecretItem };
type KeyRecord = { item: KeyItem; curve: string | null };
type VaultRecord = {
  view: VaultView;
  secrets: Map<string, SecretRecord>;
  deleted: Map<string, { record: SecretRecord; info: DeletedItem }>;
  keys: Map<string, KeyRecord>;
  certificates: Map<string, CertificateItem>;
};

function hex(bytes: number): string {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Azure's vault-name rule; null when `name` follows it. */
export function vaultNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 24) return "A vault name must be 3-24 characters long.";
  if (!/^[A-Za-z0-9-]+$/.test(name)) return "A vault name may contain only letters, digits and hyphens.";
  if (!/^[A-Za-z]/.test(name)) return "A vault name must start with a letter.";
  if (!/[A-Za-z0-9]$/.test(name)) return "A vault name must end with a letter or digit.";
  if (name.includes("--")) return "A vault name must not contain consecutive hyphens.";
  return null;
}

const DIGEST_BYTES: Record<string, number> = { "256": 32, "384": 48, "512": 64 };
const CURVE_OF_ES: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521", ES256K: "P-256K" };

function base64Length(b64: string): number {
  try {
    return atob(b64).length;
  } catch {
    return -1;
  }
}

export function fakeHost(scenario: string | null): Host {
  let firstRun = scenario !== "locked" && scenario !== "demo";
  let unlocked = scenario === "demo";
  let passphrase: string | null = scenario === "locked" ? DEMO_PASSPHRASE : null;
  const groups = new Map<string, GroupView>();
  const vaults = new Map<string, VaultRecord>();

  const status = () => ({ unlocked, needsPassphrase: !unlocked, firstRun, home: "(in-memory fake)" });

  async function answer<T>(work: () => T, delay = 60): Promise<T> {
    await sleep(delay);
    return work();
  }
  async function data<T>(work: () => T, delay = 60): Promise<T> {
    await sleep(delay);
    if (!unlocked) throw new HostError("Locked", "The store is locked: unlock it first.");
    return work();
  }
  function vault(name: string): VaultRecord {
    const v = vaults.get(name);
    if (!v) throw new HostError("VaultNotFound", `Vault '${name}' was not found.`);
    return v;
  }
  function objectName(kind: string, name: string): void {
    if (!/^[A-Za-z0-9-]{1,127}$/.test(name)) {
      throw new HostError("BadParameter", `The ${kind} name '${name}' must be 1-127 letters, digits or hyphens.`);
    }
  }

  function createGroup(name: string, location: string): GroupView {
    if (!/^[A-Za-z0-9._()-]{1,90}$/.test(name) || name.endsWith(".")) {
      throw new HostError("BadParameter", "A resource group name is 1-90 letters, digits, '.', '_', '-', '(' or ')', not ending in '.'.");
    }
    if (groups.has(name)) throw new HostError("Conflict", `Resource group '${name}' already exists.`);
    const g = { name, location };
    groups.set(name, g);
    return g;
  }

  function createVault(input: Parameters<Host["createVault"]>[0]): VaultView {
    const problem = vaultNameProblem(input.name);
    if (problem) throw new HostError("BadParameter", problem);
    if ([...vaults.keys()].some((n) => n.toLowerCase() === input.name.toLowerCase())) {
      throw new HostError("Conflict", `A vault named '${input.name}' already exists.`);
    }
    const group = groups.get(input.resourceGroup);
    if (!group) throw new HostError("ResourceGroupNotFound", `Resource group '${input.resourceGroup}' was not found.`);
    if (!Number.isInteger(input.retentionDays) || input.retentionDays < 7 || input.retentionDays > 90) {
      throw new HostError("BadParameter", "Soft-delete retention must be 7-90 days.");
    }
    const view: VaultView = {
      name: input.name,
      resourceGroup: group.name,
      location: input.location ?? group.location,
      sku: input.sku,
      retentionDays: input.retentionDays,
      purgeProtection: input.purgeProtection,
      rbacAuthorization: false,
      vaultUri: `https://${input.name.toLowerCase()}.localhost:8443/`,
      created: iso(Date.now()),
    };
    vaults.set(input.name, { view, secrets: new Map(), deleted: new Map(), keys: new Map(), certificates: new Map() });
    return view;
  }

  function setSecret(v: VaultRecord, name: string, value: string, contentType: string | null, expires: string | null = null): SecretItem {
    objectName("secret", name);
    if (v.deleted.has(name)) {
      throw new HostError("Conflict", `Secret '${name}' is currently in a deleted but recoverable state.`);
    }
    if (value.length > 25 * 1024) throw new HostError("BadParameter", "A secret value is at most 25 KB.");
    const now = iso(Date.now());
    const version = hex(16);
    const existing = v.secrets.get(name);
    const item: SecretItem = {
      name,
      id: `${v.view.vaultUri}secrets/${name}/${version}`,
      version,
      enabled: true,
      contentType,
      created: existing?.item.created ?? now,
      updated: now,
      expires,
    };
    const record = existing ?? { versions: [], item };
    record.versions.push({ version, value, created: now });
    record.item = item;
    v.secrets.set(name, record);
    return item;
  }

  function createKey(v: VaultRecord, input: Parameters<Host["createKey"]>[1], expires: string | null = null): KeyItem {
    objectName("key", input.name);
    let curve: string | null = null;
    if (input.kty === "RSA") {
      if (![2048, 3072, 4096].includes(input.size ?? 2048)) {
        throw new HostError("BadParameter", "RSA key size must be 2048, 3072 or 4096.");
      }
    } else if (input.kty === "EC") {
      curve = input.curve ?? "P-256";
      if (!["P-256", "P-384", "P-521", "P-256K"].includes(curve)) {
        throw new HostError("BadParameter", `Curve '${curve}' is not supported; use P-256, P-384, P-521 or P-256K.`);
      }
    } else {
      throw new HostError("BadParameter", `Key type '${String(input.kty)}' is not supported.`);
    }
    const version = hex(16);
    const item: KeyItem = {
      name: input.name,
      kid: `${v.view.vaultUri}keys/${input.name}/${version}`,
      version,
      kty: input.kty,
      keyOps: input.kty === "RSA" ? ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"] : ["sign", "verify"],
      enabled: true,
      created: iso(Date.now()),
      expires,
    };
    v.keys.set(input.name, { item, curve });
    return item;
  }

  function createCertificate(v: VaultRecord, name: string, subject: string, months: number, startMs = Date.now()): CertificateItem {
    objectName("certificate", name);
    if (!/^(CN|O|OU|C|L|ST)=/.test(subject.trim())) {
      throw new HostError("BadParameter", "The subject must be an X.500 name such as 'CN=example.com'.");
    }
    if (!Number.isInteger(months) || months < 1 || months > 1200) {
      throw new HostError("BadParameter", "Validity must be 1-1200 months.");
    }
    const item: CertificateItem = {
      name,
      subject: subject.trim(),
      thumbprint: hex(20).toUpperCase(),
      notBefore: iso(startMs),
      expires: iso(addMonths(startMs, months)),
      enabled: true,
    };
    v.certificates.set(name, item);
    return item;
  }

  function checkSignable(v: VaultRecord, name: string, algorithm: string, digest: string): KeyRecord {
    const key = v.keys.get(name);
    if (!key) throw new HostError("KeyNotFound", `Key '${name}' was not found.`);
    const m = /^(RS|PS|ES)(256|384|512)(K?)$/.exec(algorithm);
    if (!m || (m[3] === "K" && algorithm !== "ES256K")) throw new HostError("BadParameter", `Algorithm '${algorithm}' is not supported.`);
    const family = m[1] ?? "";
    const bits = m[2] ?? "";
    if ((family === "ES") !== (key.item.kty === "EC")) {
      throw new HostError("BadParameter", `Algorithm ${algorithm} does not fit a ${key.item.kty} key.`);
    }
    if (family === "ES" && CURVE_OF_ES[algorithm] !== key.curve) {
      throw new HostError("BadParameter", `Algorithm ${algorithm} needs curve ${CURVE_OF_ES[algorithm] ?? "?"}; this key uses ${key.curve ?? "?"}.`);
    }
    if (base64Length(digest) !== DIGEST_BYTES[bits]) {
      throw new HostError("BadParameter", `Algorithm ${algorithm} needs a ${DIGEST_BYTES[bits] ?? "?"}-byte digest.`);
    }
    return key;
  }
  const fakeSignature = (v: VaultRecord, key: KeyRecord, algorithm: string, digest: string) =>
    btoa(`fake-signature:${v.view.name}/${key.item.name}/${key.item.version}:${algorithm}:${digest}`);

  if (scenario === "demo") seedDemo();

  function seedDemo(): void {
    const now = Date.now();
    createGroup("petdash-rg", "westeurope");
    createGroup("platform-rg", "eastus");
    const base = { location: null, sku: "standard", retentionDays: 90, purgeProtection: false } as const;
    createVault({ ...base, name: "petdash-kv", resourceGroup: "petdash-rg" });
    createVault({ ...base, name: "petdash-staging-kv", resourceGroup: "petdash-rg", retentionDays: 7 });
    createVault({ ...base, name: "platform-kv", resourceGroup: "platform-rg", sku: "premium", purgeProtection: true });
    const petdash = vault("petdash-kv");
    setSecret(petdash, "db-password", "hunter2-but-longer", null, iso(now + 12 * DAY_MS));
    setSecret(petdash, "stripe-api-key", "sk_test_51Fake", "text/plain");
    setSecret(petdash, "smtp-password", "mail-me-maybe", null, iso(now + 45 * DAY_MS));
    createKey(petdash, { name: "token-signing", kty: "RSA", size: 2048, curve: null }, iso(now + 25 * DAY_MS));
    createKey(petdash, { name: "webhook-ec", kty: "EC", size: null, curve: "P-256" });
    createCertificate(petdash, "petdash-site", "CN=petdash.example", 12, addMonths(now, -12) + 3 * DAY_MS);
    createCertificate(petdash, "petdash-api", "CN=api.petdash.example", 12);
    const platform = vault("platform-kv");
    setSecret(platform, "registry-token", "ghp_fake", null, iso(now - 2 * DAY_MS));
    createCertificate(platform, "internal-ca", "CN=Platform Internal CA", 1, now - 20 * DAY_MS);
  }

  return {
    kind: "fake",
    sessionStatus: () => answer(status),
    unlock: (given) =>
      answer(() => {
        if (unlocked) return status();
        if (firstRun) {
          if (given.length < 8) throw new HostError("BadParameter", "The passphrase must be at least 8 characters long.");
          passphrase = given;
          firstRun = false;
        } else if (given !== passphrase) {
          throw new HostError("WrongPassphrase", "The passphrase does not open this store.");
        }
        unlocked = true;
        return status();
      }, 400),
    listGroups: () => data(() => [...groups.values()].sort((a, b) => a.name.localeCompare(b.name))),
    createGroup: (name, location) => data(() => createGroup(name, location)),
    checkVaultName: (name) => answer(() => vaultNameProblem(name), 0),
    listVaults: () => data(() => [...vaults.values()].map((v) => v.view).sort((a, b) => a.name.localeCompare(b.name))),
    createVault: (input) => data(() => createVault(input)),
    listSecrets: (name) => data(() => [...vault(name).secrets.values()].map((s) => s.item)),
    setSecret: (name, input) => data(() => setSecret(vault(name), input.name, input.value, input.contentType)),
    revealSecret: (name, secret, version) =>
      data(() => {
        const record = vault(name).secrets.get(secret);
        if (!record) throw new HostError("SecretNotFound", `Secret '${secret}' was not found.`);
        const found = version === null ? record.versions.at(-1) : record.versions.find((x) => x.version === version);
        if (!found) throw new HostError("SecretNotFound", `Secret '${secret}' has no version '${version ?? ""}'.`);
        return found.value;
      }),
    deleteSecret: (name, secret) =>
      data(() => {
        const v = vault(name);
        const record = v.secrets.get(secret);
        if (!record) throw new HostError("SecretNotFound", `Secret '${secret}' was not found.`);
        v.secrets.delete(secret);
        const now = Date.now();
        v.deleted.set(secret, {
          record,
          info: { name: secret, deletedDate: iso(now), scheduledPurgeDate: iso(now + v.view.retentionDays * DAY_MS) },
        });
        return record.item;
      }),
    listDeletedSecrets: (name) => data(() => [...vault(name).deleted.values()].map((d) => d.info)),
    recoverSecret: (name, secret) =>
      data(() => {
        const v = vault(name);
        const deleted = v.deleted.get(secret);
        if (!deleted) throw new HostError("SecretNotFound", `Deleted secret '${secret}' was not found.`);
        v.deleted.delete(secret);
        v.secrets.set(secret, deleted.record);
        return deleted.record.item;
      }),
    listKeys: (name) => data(() => [...vault(name).keys.values()].map((k) => k.item)),
    createKey: (name, input) => data(() => createKey(vault(name), input), 400),
    signDigest: (name, key, algorithm, digest) =>
      data(() => {
        const v = vault(name);
        return fakeSignature(v, checkSignable(v, key, algorithm, digest), algorithm, digest);
      }),
    verifyDigest: (name, key, algorithm, digest, signature) =>
      data(() => {
        const v = vault(name);
        return fakeSignature(v, checkSignable(v, key, algorithm, digest), algorithm, digest) === signature;
      }),
    listCertificates: (name) => data(() => [...vault(name).certificates.values()]),
    createSelfSignedCertificate: (name, input) =>
      data(() => createCertificate(vault(name), input.name, input.subject, input.validityMonths), 400),
    expiringSoon: (withinDays) =>
      data(() => {
        const now = Date.now();
        const out: ExpiringItem[] = [];
        const consider = (vaultName: string, kind: ExpiringItem["kind"], name: string, expires: string | null) => {
          if (expires === null) return;
          const daysLeft = Math.floor((Date.parse(expires) - now) / DAY_MS);
          if (daysLeft <= withinDays) out.push({ vault: vaultName, kind, name, expires, daysLeft });
        };
        for (const v of vaults.values()) {
          for (const s of v.secrets.values()) consider(v.view.name, "secret", s.item.name, s.item.expires);
          for (const k of v.keys.values()) consider(v.view.name, "key", k.item.name, k.item.expires);
          for (const c of v.certificates.values()) consider(v.view.name, "certificate", c.name, c.expires);
        }
        return out.sort((a, b) => a.daysLeft - b.daysLeft);
      }),
  };
}
