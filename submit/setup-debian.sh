#!/usr/bin/env bash
# Installs the Debian packages the demo and the tests use: the Fashion-MNIST idx files
# (/usr/share/datasets/fashion-mnist/), libturbojpeg0 (the system's libjpeg-turbo with SIMD, which decodes JPEGs about
# 2x faster than the copy bundled in the job's OpenCV), PyTorch/torchvision for the tests that compare the ImageNet backbones
# with PyTorch, and Chromium for the test that renders the report page headless. Java 17 and Maven are assumed.
# Safe to run again.
set -euo pipefail

packages=(dataset-fashion-mnist libturbojpeg0 python3-torch python3-torchvision python3-pil chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
echo "setup-debian.sh: installing ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
