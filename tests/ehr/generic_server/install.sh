#!/usr/bin/env bash
# Install the independent FHIR R4 server the generic connector's tests book against:
# Medplum's FHIR router, exact versions from package-lock.json, from the npm registry.
# Needs Node.js >= 20.19 and npm. Idempotent: does nothing when the lock file is unchanged.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "install.sh: node is required (Node.js >= 20.19)" >&2; exit 1; }
command -v npm >/dev/null || { echo "install.sh: npm is required" >&2; exit 1; }
stamp=node_modules/.frontdesk-installed
if [[ -f $stamp && $stamp -nt package-lock.json && $stamp -nt package.json ]]; then
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node --input-type=module -e "await import('@medplum/fhir-router')" # fails loudly on a bad install
touch "$stamp"
