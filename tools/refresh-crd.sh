#!/usr/bin/env bash
# Regenerates the StreamingJob CRD from the operator's model classes and copies it to crds/ and to
# the helm chart. CommittedCrdTest fails until this ran after a model change.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -o -q -pl operator process-classes
for target in crds helm/weir-operator/crds; do
  cp operator/target/crds/streamingjobs.weir.dev-v1.yml "$target/"
done
echo "crds/ and helm/weir-operator/crds/ refreshed"
