// What `azd provision` deploys: one resource group with everything Byoc's services share. The services' container
// apps themselves are deployed by `azd deploy` from Byoc.AppHost/infra/{resource}.tmpl.yaml (one per resource of the
// AppHost's manifest), with the images azd has just built; they read this template's outputs. docs/deploy.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; the resource group is rg-{environmentName}.')
param environmentName string

@minLength(1)
@description('The region of every resource.')
param location string

@description('The principal running azd (azd sets it): may push images and manage the vault\'s secrets and certificates.')
param principalId string = ''

@description('The public DNS name CXone calls the Edge on (e.g. byoc.example.com). Empty: the Edge\'s default azurecontainerapps.io name (never give that one to CXone in production). docs/deploy.md, "Custom domain".')
param edgeDomain string = ''

@description('Name of the environment\'s managed certificate for edgeDomain (made by `az containerapp hostname bind`), or empty.')
param edgeManagedCertificateName string = ''

@description('Key Vault secret id of your own certificate for edgeDomain (PFX, in this deployment\'s vault or another the identity may read), or empty.')
param edgeCertificateKeyVaultUrl string = ''

@description('Azure Managed Redis SKU. Balanced_B1 is the smallest production size (docs/deploy.md, "Cost").')
param redisSku string = 'Balanced_B1'

@description('Also send traces and logs to Application Insights through the environment\'s OpenTelemetry agent.')
param applicationInsights bool = false

var tags = {
  'azd-env-name': environmentName
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  scope: rg
  name: 'resources'
  params: {
    location: location
    tags: tags
    principalId: principalId
    edgeDomain: edgeDomain
    edgeManagedCertificateName: edgeManagedCertificateName
    edgeCertificateKeyVaultUrl: edgeCertificateKeyVaultUrl
    redisSku: redisSku
    applicationInsights: applicationInsights
  }
}

// The names azd's Aspire deployment reads (azd infra synth writes the same), then Byoc's own.
output AZURE_RESOURCE_GROUP string = rg.name
output MANAGED_IDENTITY_CLIENT_ID string = resources.outputs.MANAGED_IDENTITY_CLIENT_ID
output MANAGED_IDENTITY_NAME string = resources.outputs.MANAGED_IDENTITY_NAME
output MANAGED_IDENTITY_PRINCIPAL_ID string = resources.outputs.MANAGED_IDENTITY_PRINCIPAL_ID
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = resources.outputs.AZURE_LOG_ANALYTICS_WORKSPACE_NAME
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = resources.outputs.AZURE_LOG_ANALYTICS_WORKSPACE_ID
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = resources.outputs.AZURE_CONTAINER_REGISTRY_ENDPOINT
output AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID string = resources.outputs.AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_NAME
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_ID
output AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN string = resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN
output AZURE_CONTAINER_APPS_ENVIRONMENT_VERIFICATION_ID string = resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_VERIFICATION_ID
output AZURE_KEY_VAULT_NAME string = resources.outputs.AZURE_KEY_VAULT_NAME
output AZURE_KEY_VAULT_ENDPOINT string = resources.outputs.AZURE_KEY_VAULT_ENDPOINT
output BYOC_REDIS_HOST string = resources.outputs.BYOC_REDIS_HOST
output BYOC_CONNECTORS string = resources.outputs.BYOC_CONNECTORS
output BYOC_EDGE_DOMAIN string = edgeDomain
output BYOC_EDGE_ISSUER string = empty(edgeDomain) ? '' : 'https://${edgeDomain}/'
// The Edge's public address (what a connector's file links point at when its settings name none).
output BYOC_EDGE_URL string = empty(edgeDomain) ? 'https://edge.${resources.outputs.AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN}' : 'https://${edgeDomain}'
output BYOC_EDGE_CERTIFICATE_ID string = resources.outputs.BYOC_EDGE_CERTIFICATE_ID
output BYOC_EDGE_TRUSTED_NETWORK string = resources.outputs.BYOC_EDGE_TRUSTED_NETWORK
