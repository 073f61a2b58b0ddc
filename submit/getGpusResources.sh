#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the resource JSON Spark expects,
#   {"name": "gpu", "addresses": ["0", "1"]}
# from nvidia-smi; on a machine without GPUs (or without nvidia-smi) it prints an empty address list.
set -uo pipefail

addresses=""
if command -v nvidia-smi >/dev/null 2>&1; then
  addresses="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null \
    | tr -d ' ' | grep -E '^[0-9]+$' | sed 's/.*/"&"/' | paste -sd, -)"
fi
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
