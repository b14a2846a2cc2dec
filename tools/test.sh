#!/usr/bin/env bash
# Runs every test of Weir: installs the test bed (cached), then unit, integration and e2e tiers
# (the e2e scenarios start the test bed's one-node Kubernetes cluster: root is needed).
#   tools/test.sh                 # everything
#   tools/test.sh -pl worker -am  # extra arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/testbed/setup.sh >/dev/null
# A cluster the tests start is stopped again at the end (one that was already up stays up).
if ! bash tools/cluster.sh status >/dev/null 2>&1; then
  trap 'bash tools/cluster.sh down >/dev/null 2>&1 || true' EXIT
fi
mvn -B verify "$@"
