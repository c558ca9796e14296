namespace Byoc.Conversations.Registry;

/// <summary>
/// One CXone BYOC integration of one tenant: the credentials CXone uses to call the Edge (client id, hashed
/// secrets) and the ones Conversations uses to call CXone.
/// </summary>
public sealed record Integration(string Id, string TenantId, string Name, string ClientId, CxoneAccess Cxone);

/// <summary>How Conversations reaches a tenant's CXone: the issuer, the app registered with NICE, an access key.</summary>
public sealed record CxoneAccess(
    string Issuer,
    string AppClientId,
    string AppClientSecret,
    string AccessKeyId,
    string AccessKeySecret,
    string? DigitalApiBaseUrl)
{
    // Secrets stay out of logs and exception messages even when the record is printed.
    public override string ToString() => $"CxoneAccess {{ Issuer = {Issuer}, AppClientId = {AppClientId}, AccessKeyId = {AccessKeyId} }}";
}

/// <summary>A point of contact: one platform account behind one connector, known to CXone as a channel.</summary>
public sealed record Channel(string Id, string IntegrationId, string Connector, string AccountId, string Name, string Icon);
