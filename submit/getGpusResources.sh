#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the resource JSON Spark expects,
#   {"name": "gpu", "addresses": ["0", "1"]}
# from nvidia-smi; on a machine without GPUs (or without nvidia-smi) it prints an empty address list. It lists every
# GPU: each executor then checks the compute capability of its own (runtime/GpuSupport) before ND4J loads, and a GPU
# the CUDA build cannot run on (Hopper and later) stops the run with a message rather than hiding the GPU from Spark,
# which would leave the job waiting for resources.
set -uo pipefail

addresses=""
if command -v nvidia-smi >/dev/null 2>&1; then
  addresses="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null \
    | tr -d ' ' | grep -E '^[0-9]+$' | sed 's/.*/"&"/' | paste -sd, -)"
fi
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
