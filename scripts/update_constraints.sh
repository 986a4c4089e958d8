#!/usr/bin/env bash
# Regenerate constraints.txt: the exact versions of every dependency (all extras) from a clean venv, with no
# local paths, so `pip install -c constraints.txt -e ".[dev,hf]"` reproduces the tested set anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(mktemp -d)/venv
python3 -m venv "$venv"
"$venv/bin/pip" install -q -e ".[dev,hf,train,sources,distributed,apprise]"
{
  echo "# Exact versions of every dependency Groundswell was tested with (all extras), for reproducible installs:"
  echo "#   pip install -c constraints.txt -e '.[dev,hf]'      (regenerate: scripts/update_constraints.sh)"
  "$venv/bin/pip" freeze --exclude-editable | grep -v -e ' @ ' -e '^-e ' | sed -E 's/\+[a-z0-9.]+$//' | sort -f
} > constraints.txt
rm -rf "$(dirname "$venv")"
grep -c '==' constraints.txt
