#!/usr/bin/env bash
# Creates .venv with the pinned AWS emulator (moto server) and cfn-lint, once.
# Safe to run repeatedly: it does nothing when the pinned versions are already installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$root/requirements-emulator.txt" | cut -d' ' -f1)"
if [ -x "$venv/bin/moto_server" ] && [ -x "$venv/bin/cfn-lint" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "setting up the Python environment for the AWS emulator in $venv (one time)..." >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements-emulator.txt"
echo "$want" > "$stamp"
