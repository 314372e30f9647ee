#!/bin/sh
# Builds prom-parse offline from Debian's Go packages under /usr/share/gocode:
#   apt-get install golang-go golang-github-prometheus-common-dev
# Usage: build.sh <output-binary>
set -eu
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
gocode="${GOCODE:-/usr/share/gocode/src}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/switchyard"
for top in "$gocode"/*; do ln -s "$top" "$work/src/$(basename "$top")"; done
mkdir -p "$work/src/switchyard/prom-parse"
cp "$here/main.go" "$work/src/switchyard/prom-parse/"
cd "$work/src/switchyard/prom-parse"
GO111MODULE=off GOPATH="$work" GOCACHE="${GOCACHE:-$work/cache}" GOFLAGS= go build -o "$out" .
