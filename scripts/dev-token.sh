#!/bin/sh
# Prints a bearer token of a dev user (alice: administrator, bob: plain user, or any other name: a
# plain user) from the OpenID Connect provider that `./mvnw quarkus:dev` embeds.
#   curl -H "Authorization: Bearer $(scripts/dev-token.sh bob)" http://localhost:8080/videos
set -eu
user="${1:?usage: scripts/dev-token.sh USER   (alice is the administrator, bob a plain user)}"
issuer="${VODFLOW_DEV_ISSUER:-http://127.0.0.1:8180/vodflow}"
answer=$(curl -sS --fail-with-body \
  --data-urlencode grant_type=password \
  --data-urlencode "username=$user" \
  --data-urlencode password=dev \
  --data-urlencode client_id=vodflow \
  --data-urlencode scope=openid \
  "$issuer/token") || {
  echo "No token from $issuer: is ./mvnw quarkus:dev running?" >&2
  exit 1
}
printf '%s' "$answer" | tr -d '\n' | sed -E 's/.*"access_token" *: *"([^"]+)".*/\1/'
