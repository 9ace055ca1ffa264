#!/usr/bin/env bash
# Run the Replicate training workflow against the bundled mock of the
# Replicate API on 127.0.0.1. Usage: demo.sh [SCENARIO] [extra arazzo run options]
# SCENARIO is a file name in scenarios/ without .yaml (default: success).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scenario=${1:-success}
shift || true

announce=$(mktemp)
trap 'kill "$mock_pid" 2>/dev/null || true; rm -f "$announce"' EXIT
arazzo mock "$here/openapi/replicate-openapi.yml" \
    --scenario "$here/scenarios/$scenario.yaml" --port 0 >"$announce" &
mock_pid=$!

# The mock's first line is "listening on http://127.0.0.1:PORT".
for _ in $(seq 100); do
    url=$(sed -n 's/^listening on //p' "$announce")
    [ -n "$url" ] && break
    sleep 0.05
done
if [ -z "${url:-}" ]; then
    echo "error: the mock server did not start" >&2
    exit 2
fi

arazzo run "$here/arazzo/train-model-and-poll.arazzo.yaml" \
    --inputs "$here/inputs.example.json" \
    --server "replicateApi=$url/v1" \
    --max-retry-wait 1 "$@"
