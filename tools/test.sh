#!/usr/bin/env bash
# Runs every test of Weir: installs the test bed (cached), then unit, integration and e2e tiers.
#   tools/test.sh                 # everything
#   tools/test.sh -pl worker -am  # extra arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/testbed/setup.sh >/dev/null
exec mvn -B verify "$@"
