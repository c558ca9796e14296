// Everything Byoc's container apps share, in one resource group (main.bicep). Secrets live in Key Vault only; the
// container apps reference them there through the managed identity (Byoc.AppHost/infra/*.tmpl.yaml).
param location string = resourceGroup().location
param tags object = {}
param principalId string = ''
param edgeDomain string = ''
param edgeManagedCertificateName string = ''
param edgeCertificateKeyVaultUrl string = ''
param redisSku string = 'Balanced_B1'
param applicationInsights bool = false

var resourceToken = uniqueString(resourceGroup().id)

// The deployment file (docs/deploy.md, "Describe the deployment"): its connectors become container apps, and Conversations reads the
// whole file from the vault (Byoc__Deployment). Secrets are never in it, only references to them.
var deployment = loadJsonContent('deployment.json')
var connectors = objectKeys(deployment.connectors)

// Built-in role definitions.
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
var acrPush = '8311e382-0749-4cb8-b61a-304f252e45ec'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
var keyVaultCertificatesOfficer = 'a4417e6f-fecd-4de8-b567-7b0420556985'

// One identity for every service: it pulls the images and reads the vault (and so the keyvault: references of the
// deployment file). azd's Aspire deployment expects exactly one.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'mi-${resourceToken}'
  location: location
  tags: tags
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'acr${resourceToken}'
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: {
    // Pulls with the managed identity, pushes with the deploying user's Entra ID login: no registry password.
    adminUserEnabled: false
  }
}

resource registryPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identity.id, acrPull)
  scope: registry
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
  }
}

resource registryPush 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(registry.id, principalId, acrPush)
  scope: registry
  properties: {
    principalId: principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPush)
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'law-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = if (applicationInsights) {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

// The environment in a network of its own: Redis is reached on a private endpoint, and the Edge believes
// X-Forwarded-For only from the environment's own subnet, where the platform's ingress proxies run.
var infrastructureSubnet = '10.40.0.0/23'

resource network 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-${resourceToken}'
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: ['10.40.0.0/16'] }
    subnets: [
      {
        name: 'apps'
        properties: {
          addressPrefix: infrastructureSubnet
          delegations: [{ name: 'apps', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'private-endpoints'
        properties: { addressPrefix: '10.40.2.0/24' }
      }
    ]
  }
}

// A preview API version: the environment's OpenTelemetry agent (Application Insights below) has no GA version yet;
// everything else here is the same in 2025-01-01.
resource environment 'Microsoft.App/managedEnvironments@2025-02-02-preview' = {
  name: 'cae-${resourceToken}'
  location: location
  tags: tags
  properties: {
    workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }]
    vnetConfiguration: {
      infrastructureSubnetId: network.properties.subnets[0].id
      internal: false
    }
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    appInsightsConfiguration: applicationInsights ? { connectionString: insights!.properties.ConnectionString } : null
    openTelemetryConfiguration: applicationInsights
      ? {
          tracesConfiguration: { destinations: ['appInsights'] }
          logsConfiguration: { destinations: ['appInsights'] }
        }
      : null
    zoneRedundant: false
  }
}

// The environment's Aspire dashboard (traces, logs and metrics of every app; sign-in with Entra ID). Only preview
// API versions of dotNetComponents exist.
resource dashboard 'Microsoft.App/managedEnvironments/dotNetComponents@2025-02-02-preview' = {
  parent: environment
  name: 'aspire-dashboard'
  properties: {
    componentType: 'AspireDashboard'
  }
}

// The certificate of the Edge's custom domain: your own from Key Vault, or the managed one `az containerapp hostname
// bind` made (docs/deploy.md, "Custom domain").
resource edgeCertificate 'Microsoft.App/managedEnvironments/certificates@2025-02-02-preview' = if (!empty(edgeDomain) && !empty(edgeCertificateKeyVaultUrl)) {
  parent: environment
  name: 'edge-domain'
  location: location
  properties: {
    certificateKeyVaultProperties: {
      keyVaultUrl: edgeCertificateKeyVaultUrl
      identity: identity.id
    }
  }
  dependsOn: [vaultReader]
}

resource edgeManagedCertificate 'Microsoft.App/managedEnvironments/managedCertificates@2025-02-02-preview' existing = if (!empty(edgeManagedCertificateName)) {
  parent: environment
  name: edgeManagedCertificateName
}

var edgeCertificateId = empty(edgeDomain)
  ? ''
  : !empty(edgeCertificateKeyVaultUrl)
      ? edgeCertificate.id
      : !empty(edgeManagedCertificateName) ? edgeManagedCertificate.id : ''

// Azure Managed Redis: TLS only, the append-only file on (fsync every second: an acknowledged ingest survives the loss
// of a node, and HA keeps a replica), never evicting (Byoc's keys are state, not a cache), one endpoint without the
// cluster protocol (Byoc's multi-key scripts keep their keys under one hash tag, but StackExchange.Redis and the
// Data Protection key ring are simplest on one endpoint), reachable only from the environment's network.
resource redis 'Microsoft.Cache/redisEnterprise@2025-07-01' = {
  name: 'redis-${resourceToken}'
  location: location
  tags: tags
  sku: { name: redisSku }
  properties: {
    minimumTlsVersion: '1.2'
    highAvailability: 'Enabled'
    publicNetworkAccess: 'Disabled'
  }

  resource database 'databases' = {
    name: 'default'
    properties: {
      clientProtocol: 'Encrypted'
      port: 10000
      clusteringPolicy: 'NoCluster'
      evictionPolicy: 'NoEviction'
      // The services authenticate with a key (StackExchange.Redis connection strings); it lives in the vault only.
      accessKeysAuthentication: 'Enabled'
      persistence: {
        aofEnabled: true
        aofFrequency: '1s'
      }
    }
  }
}

resource redisDns 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: 'privatelink.redis.azure.net'
  location: 'global'
  tags: tags

  resource link 'virtualNetworkLinks' = {
    name: 'apps'
    location: 'global'
    properties: {
      virtualNetwork: { id: network.id }
      registrationEnabled: false
    }
  }
}

resource redisEndpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: 'pe-redis-${resourceToken}'
  location: location
  tags: tags
  properties: {
    subnet: { id: network.properties.subnets[1].id }
    privateLinkServiceConnections: [
      {
        name: 'redis'
        properties: {
          privateLinkServiceId: redis.id
          groupIds: ['redisEnterprise']
        }
      }
    ]
  }

  resource zone 'privateDnsZoneGroups' = {
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [{ name: 'redis', properties: { privateDnsZoneId: redisDns.id } }]
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // A deleted vault (and with it the key ring's certificate) can be recovered, never purged early.
    enablePurgeProtection: true
  }
}

resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

// The operator writes the secrets azd does not (internal keys, the key ring certificate: infra/hooks) and rotates them.
resource vaultSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(vault.id, principalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

resource vaultCertificatesOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(vault.id, principalId, keyVaultCertificatesOfficer)
  scope: vault
  properties: {
    principalId: principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCertificatesOfficer)
  }
}

var redisConnectionString = '${redis.properties.hostName}:10000,password=${redis::database.listKeys().primaryKey},ssl=True,abortConnect=False'

// The manifest's connection string parameters, from the database's key. Azure Managed Redis has no ACL users of its
// own, so the Edge's (redis-edge) is the same one here: docs/deploy.md, "What differs from a local run".
resource redisSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'redis'
  properties: { value: redisConnectionString, contentType: 'StackExchange.Redis connection string' }
}

resource redisEdgeSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'redis-edge'
  properties: { value: redisConnectionString, contentType: 'StackExchange.Redis connection string' }
}

// Only the password, for the scale rule on the inbound streams (KEDA takes host and password apart).
resource redisPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'redis-password'
  properties: { value: redis::database.listKeys().primaryKey }
}

resource deploymentSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'deployment'
  properties: { value: string(deployment), contentType: 'application/json' }
}

output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_NAME string = identity.name
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = workspace.name
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = workspace.id
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.properties.loginServer
output AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID string = identity.id
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = environment.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = environment.id
output AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN string = environment.properties.defaultDomain
output AZURE_CONTAINER_APPS_ENVIRONMENT_VERIFICATION_ID string = environment.properties.customDomainConfiguration.customDomainVerificationId
output AZURE_KEY_VAULT_NAME string = vault.name
output AZURE_KEY_VAULT_ENDPOINT string = vault.properties.vaultUri
output BYOC_REDIS_HOST string = redis.properties.hostName
output BYOC_CONNECTORS string = join(connectors, ' ')
output BYOC_EDGE_CERTIFICATE_ID string = edgeCertificateId
output BYOC_EDGE_TRUSTED_NETWORK string = infrastructureSubnet
