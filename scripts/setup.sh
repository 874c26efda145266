#!/usr/bin/env bash
# Installs every Debian package augur needs to build, test and run its demo.
# Idempotent: prints nothing and touches nothing when all packages are present.
# Usage: scripts/setup.sh            (as root, or with sudo available)
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # required libraries
  libtorch-dev libeigen3-dev libtbb-dev libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  # LibTorch links the reference BLAS (~3 GFLOP/s) unless OpenBLAS is installed (~60-110 GFLOP/s)
  libopenblas0-openmp
  # command line, JSON, npz (zip) and HDF5 I/O
  libcli11-dev nlohmann-json3-dev libzip-dev libhdf5-dev
  # gRPC plan service (serve/): C++ library, protoc plugins, and the Python client used by its tests
  libgrpc++-dev protobuf-compiler-grpc python3-grpcio python3-protobuf
  # MuJoCo (its CMake config needs qhull)
  libmujoco-dev libqhull-dev
  # python helpers: golden-file regeneration, test fixtures, plots
  python3 python3-numpy python3-h5py python3-matplotlib
  # PyTorch for Python: exports TorchScript models in tests, runs the Python peers in bench/peers
  python3-torch
  # headless browser: tests check that HTML reports render
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
