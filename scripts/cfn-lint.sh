#!/usr/bin/env bash
# Synthesises the app (real esbuild bundling) and lints every template with cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python-env.sh >/dev/null
npx cdk synth --quiet
.venv/bin/cfn-lint cdk.out/*.template.json
