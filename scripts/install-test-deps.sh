#!/usr/bin/env bash
# Installs what the conformance / integration / UI tests need on a fresh Debian (bookworm) machine
# (the unit tests need nothing but `npm ci`):
#   - Debian packages: chromium, libkrb5-dev (code-server's kerberos module), ripgrep, awscli
#     (the AWS CLI v2 at /usr/bin/aws and its botocore, for test/conformance and test/integration)
#   - in pyenv's Python (as on CI; else the python3 on PATH): the AWS CLI v1 (awscli 1.x) and
#     moto's server (moto[server] 5.2.x), for test/conformance and test/integration
#   - code-server@4.100.3 (a real VS Code server + web workbench) in <repo>/.cache/code-server
# Idempotent and fast when everything is already there. No network except the npm registry,
# PyPI (only when a Python tool is missing) and Debian apt: @vscode/ripgrep's download is
# satisfied from a pre-seeded cache holding Debian's /usr/bin/rg.
set -euo pipefail

CODE_SERVER_VERSION="4.100.3"
AWSCLI_V1_SPEC="awscli>=1.45,<2"   # test/support/awsCliV1.ts: the CLI that honours AWS_ENDPOINT_URL_STS
MOTO_SPEC="moto[server]==5.2.1"  # test/support/moto.ts documents this version's auth rules
RIPGREP_PKG_VERSION="1.15.11"                                        # @vscode/ripgrep in that code-server
RIPGREP_ASSET="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"  # what its postinstall downloads

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CS_DIR="$REPO_ROOT/.cache/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
LOG="$CS_DIR/install.log"

log() { echo "[install-test-deps] $*"; }

# ---------------------------------------------------------------- 1. Debian packages
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)   # the packaging check lists the .vsix
# The integration tests need the Debian AWS CLI v2 at /usr/bin/aws; an `aws` on PATH may be pip's v1.
[ -x /usr/bin/aws ] || missing+=(awscli)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
# code-server's native modules (argon2, node-pty, kerberos, ...) are compiled by node-gyp
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# ---------------------------------------------------------------- 2. Python tools
# Found by the tests as test/support/awsCliV1.ts and test/support/externalTools.ts do:
# `pyenv which aws` (else python3 -m awscli) for the CLI v1, `moto_server` on PATH for moto.
if command -v pyenv >/dev/null 2>&1; then
  PYTHON="$(pyenv which python3)"
else
  PYTHON="$(command -v python3 || true)"
fi
python_tools_ok() {
  [ -n "$PYTHON" ] || return 1
  "$PYTHON" -c 'import awscli, moto, flask, flask_cors, sys; sys.exit(0 if awscli.__version__.startswith("1.") else 1)' >/dev/null 2>&1 || return 1
  command -v moto_server >/dev/null 2>&1
}
if python_tools_ok; then
  log "Python tools present ($PYTHON: awscli $("$PYTHON" -c 'import awscli; print(awscli.__version__)'), moto $("$PYTHON" -c 'import moto; print(moto.__version__)'))"
else
  if [ -z "$PYTHON" ]; then
    log "no python3 found: install pyenv (as on CI) or python3, then run this again" >&2
    exit 1
  fi
  log "pip install $AWSCLI_V1_SPEC $MOTO_SPEC into $PYTHON"
  # Debian's own python3 refuses pip installs (PEP 668): that is the case for pyenv.
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "$AWSCLI_V1_SPEC" "$MOTO_SPEC" \
    || { log "pip install failed: the conformance and integration tests need the AWS CLI v1 and moto in a Python pip may install into; install pyenv and a Python 3.11 (as on CI), then run this again" >&2; exit 1; }
  command -v pyenv >/dev/null 2>&1 && pyenv rehash
  if ! python_tools_ok; then
    log "installed, but moto_server is not on PATH ($PATH): put $(dirname "$PYTHON") or pyenv's shims on PATH" >&2
    exit 1
  fi
fi

# ---------------------------------------------------------------- 3. code-server
installed_version() {
  [ -f "$CS_PKG/package.json" ] || return 0
  # only count it as installed if its postinstall completed (native modules built, asar symlink)
  [ -e "$CS_PKG/lib/vscode/node_modules/node-pty/build/Release/pty.node" ] || return 0
  [ -e "$CS_PKG/lib/vscode/node_modules.asar" ] || return 0
  node -p "require('$CS_PKG/package.json').version" 2>/dev/null || true
}

if [ "$(installed_version)" = "$CODE_SERVER_VERSION" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in ${CS_DIR#"$REPO_ROOT"/}"
  exit 0
fi

# Seed @vscode/ripgrep's download cache (its postinstall looks there before downloading).
TMP_BASE="$(node -p "require('os').tmpdir()")"
RG_CACHE="$TMP_BASE/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
if [ ! -s "$RG_CACHE/$RIPGREP_ASSET" ]; then
  log "seeding ripgrep cache $RG_CACHE/$RIPGREP_ASSET from $(command -v rg)"
  mkdir -p "$RG_CACHE"
  stage="$(mktemp -d)"
  cp "$(command -v rg)" "$stage/rg"
  tar -czf "$RG_CACHE/$RIPGREP_ASSET.tmp" -C "$stage" rg
  mv "$RG_CACHE/$RIPGREP_ASSET.tmp" "$RG_CACHE/$RIPGREP_ASSET"
  rm -rf "$stage"
fi

log "installing code-server@$CODE_SERVER_VERSION into ${CS_DIR#"$REPO_ROOT"/} (takes a few minutes)"
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
cd "$CS_DIR"   # every npm command below runs here, never in the repo root

# npm 11 skips dependency install scripts not approved by the root package.json's "allowScripts".
# --allow-scripts / npm_config_allow_scripts is an error in project-scoped installs (EALLOWSCRIPTS),
# and allow-scripts from an .npmrc is re-exported by npm to child processes as
# npm_config_allow_scripts, so code-server's postinstall (which runs a nested `npm install` in
# lib/vscode, whose package.json has no allowScripts) would either fail or silently skip the
# native modules (node-pty, @parcel/watcher, spdlog, kerberos, ripgrep...). Hence:
#   1. install with --ignore-scripts into this folder with its own package.json,
#   2. add allowScripts to lib/vscode/package.json for the packages its npm-shrinkwrap.json marks
#      as having install scripts (minus those for other OSes),
#   3. `npm rebuild` -> argon2's install + code-server's postinstall (approved in our package.json).
cat >package.json <<EOF
{
  "name": "code-server-test-install",
  "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
# node-gyp compiles against local headers (no download possible here): the npmrc sets nodedir=/usr;
# fall back to the headers next to the running node if nothing sets it.
if [ -z "${npm_config_nodedir:-}" ] && [ -z "$(npm config get nodedir 2>/dev/null | grep -v '^null$\|^undefined$' || true)" ]; then
  node_prefix="$(dirname "$(dirname "$(command -v node)")")"
  [ -f "$node_prefix/include/node/node_version.h" ] && export npm_config_nodedir="$node_prefix"
fi
# unsafe-perm: code-server's postinstall refuses to run as root without it
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false \
  npm_config_audit=false npm_config_update_notifier=false

fail() {
  tail -n 40 "$LOG" >&2
  log "code-server install FAILED: $1 (full log: $LOG)"
  exit 1
}

start=$(date +%s)
npm install --ignore-scripts --no-package-lock >"$LOG" 2>&1 || fail "npm install"
node -e '
  const fs = require("fs"), path = require("path");
  const dir = process.argv[1], pj = path.join(dir, "package.json");
  const wrap = JSON.parse(fs.readFileSync(path.join(dir, "npm-shrinkwrap.json"), "utf8"));
  const pkg = JSON.parse(fs.readFileSync(pj, "utf8"));
  pkg.allowScripts = {};
  for (const [loc, meta] of Object.entries(wrap.packages)) {
    if (!loc || !meta.hasInstallScript) continue;
    if (meta.os && !meta.os.includes(process.platform)) continue;
    pkg.allowScripts[loc.slice(loc.lastIndexOf("node_modules/") + 13)] = true;
  }
  fs.writeFileSync(pj, JSON.stringify(pkg, null, 2) + "\n");
  console.log("lib/vscode allowScripts: " + Object.keys(pkg.allowScripts).join(", "));
' "$CS_PKG/lib/vscode" >>"$LOG" 2>&1 || fail "approving lib/vscode install scripts"
npm rebuild --foreground-scripts >>"$LOG" 2>&1 || fail "npm rebuild (code-server postinstall)"
if [ "$(installed_version)" != "$CODE_SERVER_VERSION" ]; then
  fail "postinstall did not build lib/vscode's native modules"
fi
node "$CS_PKG/out/node/entry.js" --version >>"$LOG" 2>&1 || fail "code-server --version"
log "code-server $CODE_SERVER_VERSION installed in $(( $(date +%s) - start ))s"
