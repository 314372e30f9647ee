#!/bin/sh
# Builds helm-render offline from Debian's Go packages under /usr/share/gocode:
#   apt-get install golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev
# Debian ships sprig v3 and semver v3 without the /v3 in their paths, so a throwaway GOPATH maps
# the import paths onto them.  Usage: build.sh <output-binary>
set -eu
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
gocode="${GOCODE:-/usr/share/gocode/src}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
src="$work/src"
mkdir -p "$src/github.com/Masterminds/sprig" "$src/github.com/Masterminds/semver" "$src/switchyard/helm-render"
ln -s "$gocode/github.com/Masterminds/sprig" "$src/github.com/Masterminds/sprig/v3"
ln -s "$gocode/github.com/Masterminds/semver" "$src/github.com/Masterminds/semver/v3"
ln -s "$gocode/github.com/Masterminds/goutils" "$src/github.com/Masterminds/goutils"
for org in "$gocode"/github.com/*; do
  [ "$(basename "$org")" = Masterminds ] || ln -s "$org" "$src/github.com/$(basename "$org")"
done
ln -s "$gocode/golang.org" "$src/golang.org"
ln -s "$gocode/gopkg.in" "$src/gopkg.in"
cp "$here/main.go" "$src/switchyard/helm-render/"
cd "$src/switchyard/helm-render"
GO111MODULE=off GOPATH="$work" GOCACHE="${GOCACHE:-$work/cache}" GOFLAGS= go build -o "$out" .
