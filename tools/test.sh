#!/usr/bin/env bash
# Runs every test of Weir: installs the test bed (cached), then unit, integration and e2e tiers
# (the e2e scenarios start the test bed's one-node Kubernetes cluster: root is needed).
#   tools/test.sh                 # everything
#   tools/test.sh -pl worker -am  # extra arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/testbed/setup.sh >/dev/null
# A cluster that is not up is reset (whatever an earlier run left behind, even killed, is gone),
# started by the tests, and stopped again at the end; one that is up stays up.
if ! bash tools/cluster.sh status >/dev/null 2>&1; then
  bash tools/cluster.sh reset >/dev/null 2>&1 || true
  trap 'bash tools/cluster.sh down >/dev/null 2>&1 || true' EXIT
fi
mvn -B verify "$@"
