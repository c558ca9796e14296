# After `azd provision` on Windows: the same as postprovision.sh (read it for why).
$ErrorActionPreference = 'Stop'
$vault = $env:AZURE_KEY_VAULT_NAME
if (-not $vault) { throw 'run through azd: AZURE_KEY_VAULT_NAME is an output of infra/main.bicep' }

$callers = @('conversations', 'edge') + @(($env:BYOC_CONNECTORS -split ' ') | Where-Object { $_ } | ForEach-Object { "connector-$_" })
$names = @($callers | ForEach-Object { "internal-key-$_" }) + @('edge-admin-api-key')
foreach ($name in $names) {
  az keyvault secret show --vault-name $vault --name $name --query id -o tsv 2>$null | Out-Null
  if ($LASTEXITCODE -eq 0) { Write-Host "byoc: $name exists"; continue }
  $chars = [char[]](48..57 + 65..90 + 97..122)
  $bytes = [System.Security.Cryptography.RandomNumberGenerator]::GetBytes(48)
  $key = -join ($bytes | ForEach-Object { $chars[$_ % $chars.Length] })
  az keyvault secret set --vault-name $vault --name $name --value $key --content-type 'Byoc key' --output none
  if ($LASTEXITCODE -ne 0) { throw "could not write $name" }
  Write-Host "byoc: $name created"
}

az keyvault certificate show --vault-name $vault --name key-ring --query id -o tsv 2>$null | Out-Null
if ($LASTEXITCODE -eq 0) { Write-Host 'byoc: key-ring certificate exists'; exit 0 }
$policy = New-TemporaryFile
try {
  @'
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
'@ | Set-Content -Path $policy
  az keyvault certificate create --vault-name $vault --name key-ring --policy "@$policy" --output none
  if ($LASTEXITCODE -ne 0) { throw 'could not create the key-ring certificate' }
  Write-Host 'byoc: key-ring certificate created'
} finally { Remove-Item $policy }
