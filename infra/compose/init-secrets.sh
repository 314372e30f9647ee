#!/bin/sh
# Writes the secret files infra/compose.yaml mounts (infra/compose/secrets/*), keeping any that exist.
# Afterwards put your Azure OpenAI key in secrets/azure_openai_api_key when you use one.
set -eu
dir="$(dirname "$0")/secrets"
mkdir -p "$dir"
umask 077
write() { # name value: only when the file is not there yet
  [ -f "$dir/$1" ] && return 0
  printf '%s' "$2" > "$dir/$1"
  # The services run as uid 10001 and Compose mounts these files with their owner and mode.
  if ! chown 10001:10001 "$dir/$1" 2>/dev/null; then
    chmod 0644 "$dir/$1"
    echo "note: $dir/$1 is readable by every local user; run this script as root to give it to uid 10001 alone" >&2
  fi
  echo "wrote $dir/$1"
}
random() { node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('$2'))"; }
write context_secret "$(random 48 base64url)"
write master_key "$(random 32 base64)"
write bootstrap_admin_key "sy_admin$(random 6 hex)_$(random 32 base64url)"
# The emulator's published, well-known account key (the emulator accepts no other).
write cosmos_key "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
# Empty means unset: the simulator, and Azure OpenAI through Entra ID, need no key.
write azure_openai_api_key ""
echo "The platform admin key is in $dir/bootstrap_admin_key."
