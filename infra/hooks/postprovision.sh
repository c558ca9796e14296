#!/bin/sh
# After `azd provision`: the secrets infra/main.bicep cannot make, each created only when missing (so a second
# provision changes nothing, and a rotation is a new version you write yourself: docs/deploy.md, "Rotating secrets").
#  - internal-key-{caller}: a random key for each internal caller (conversations, edge, every connector);
#  - edge-admin-api-key: the Edge's admin API key (Edge__Admin__ApiKey, docs/cxone.md);
#  - key-ring: the certificate the Data Protection key rings are encrypted with, made and kept by Key Vault (its
#    private key never leaves the vault except as the secret the services read).
# azd gives this script the provision's outputs as environment variables.
set -eu
vault="${AZURE_KEY_VAULT_NAME:?run through azd: AZURE_KEY_VAULT_NAME is an output of infra/main.bicep}"

has_secret() { az keyvault secret show --vault-name "$vault" --name "$1" --query id -o tsv >/dev/null 2>&1; }

for name in $(for caller in conversations edge $(for c in ${BYOC_CONNECTORS:-}; do printf 'connector-%s ' "$c"; done); do
  printf 'internal-key-%s ' "$caller"; done) edge-admin-api-key; do
  if has_secret "$name"; then
    echo "byoc: $name exists"
  else
    # 48 characters from [A-Za-z0-9], as the AppHost generates them locally; through a pipe, never on a command line.
    LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 48 \
      | az keyvault secret set --vault-name "$vault" --name "$name" --file /dev/stdin --encoding utf-8 --content-type "Byoc key" --output none
    echo "byoc: $name created"
  fi
done

if az keyvault certificate show --vault-name "$vault" --name key-ring --query id -o tsv >/dev/null 2>&1; then
  echo "byoc: key-ring certificate exists"
else
  policy=$(mktemp)
  trap 'rm -f "$policy"' EXIT
  cat >"$policy" <<'JSON'
{
  "issuerParameters": { "name": "Self" },
  "keyProperties": { "exportable": true, "keyType": "RSA", "keySize": 3072, "reuseKey": true },
  "secretProperties": { "contentType": "application/x-pkcs12" },
  "x509CertificateProperties": {
    "subject": "CN=Byoc key ring",
    "keyUsage": ["keyEncipherment", "dataEncipherment"],
    "validityInMonths": 120
  },
  "lifetimeActions": [ { "trigger": { "daysBeforeExpiry": 90 }, "action": { "actionType": "EmailContacts" } } ]
}
JSON
  az keyvault certificate create --vault-name "$vault" --name key-ring --policy "@$policy" --output none
  echo "byoc: key-ring certificate created"
fi
