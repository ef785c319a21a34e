#!/usr/bin/env bash
# Synthesises the app (real esbuild bundling) and every configuration variant
# (scripts/lint-variants.ts: organisation mode and its member StackSet template, the trail, a
# home region other than us-east-1 with its forwarders), then lints every template with cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python-env.sh >/dev/null
npx cdk synth --quiet
variants=cdk.out/lint-variants
rm -rf "$variants"
mapfile -t templates < <(npx tsx scripts/lint-variants.ts "$variants")
.venv/bin/cfn-lint cdk.out/*.template.json "${templates[@]}"
echo "cfn-lint: clean on $(( $(ls cdk.out/*.template.json | wc -l) + ${#templates[@]} )) templates"
