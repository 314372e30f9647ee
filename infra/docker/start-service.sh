#!/bin/sh
# Runs one Switchyard service from the compiled bundles: the service named by the first argument or
# by SWITCHYARD_SERVICE. Files in /run/secrets (SWITCHYARD_SECRETS_DIR) named like a variable (SWITCHYARD_CONTEXT_SECRET,
# COSMOS_KEY, ...) become that variable, so secrets can come as mounted files (Compose secrets,
# Kubernetes volumes) instead of plain environment entries.
set -eu
service="${1:-${SWITCHYARD_SERVICE:-}}"
services="gateway tenants selection workflows engine-langgraph engine-crewai engine-autogen billing knowledge llm-simulator"
case " $services " in
  *" $service "*) ;;
  *)
    if [ -z "$service" ]; then
      echo "Name the service to run: set SWITCHYARD_SERVICE or pass it as the argument (one of: $services)." >&2
    else
      echo "Unknown service \"$service\": use one of: $services." >&2
    fi
    exit 64 ;;
esac
secrets_dir="${SWITCHYARD_SECRETS_DIR:-/run/secrets}"
if [ -d "$secrets_dir" ]; then
  for file in "$secrets_dir"/*; do
    [ -f "$file" ] || continue
    name="$(basename "$file")"
    case "$name" in
      *[!A-Z0-9_]* | [0-9]*) continue ;;
    esac
    value="$(cat "$file")"
    export "$name=$value"
  done
fi
export SWITCHYARD_SERVICE="$service"
# On Node 22.7 to 23, AsyncLocalStorage (trace and run contexts) is backed by AsyncContextFrame instead
# of async_hooks (the default from Node 24; Node 20 lacks it), as libs/stack's serviceNodeFlags does.
case "$(node --version 2>/dev/null)" in
  v22.[7-9].* | v22.[1-9][0-9].* | v23.*) set -- --experimental-async-context-frame ;;
  *) set -- ;;
esac
case " ${NODE_OPTIONS:-} " in
  *" --experimental-async-context-frame "*) set -- ;;
esac
exec node "$@" --enable-source-maps "/app/dist/apps/$service/src/main.js"
