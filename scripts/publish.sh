#!/usr/bin/env bash
# Publishes Quai's executables in Release into DIR (default ./artifacts/bin): Native AOT for the
# short-lived and many (quai-runtime, quai-shim, quai), framework-dependent for the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(pwd)/artifacts/bin}
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish src/quai-runtime/quai-runtime.csproj -c Release -o "$out" -nologo -v quiet
dotnet publish src/quai-shim/quai-shim.csproj -c Release -o "$out" -nologo -v quiet
dotnet publish src/quaid/quaid.csproj -c Release -o "$out" -nologo -v quiet
dotnet publish src/quai/quai.csproj -c Release -o "$out" -nologo -v quiet
dotnet publish src/quai-registry/quai-registry.csproj -c Release -o "$out/quai-registry.d" -nologo -v quiet
ln -sf quai-registry.d/quai-registry "$out/quai-registry"
rm -f "$out"/*.dbg "$out"/*.pdb "$out"/*.xml "$out"/quai-registry.d/*.xml
