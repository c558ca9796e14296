namespace Byoc.Edge.Tests.Infrastructure;

/// <summary>Two CXone integrations of two tenants, each with one channel.</summary>
public static class TestData
{
    public const string IntegrationA = "integration-a";
    public const string TenantA = "tenant-a";
    public const string ClientA = "client-a";
    public const string SecretA = "secret-a-0123456789";
    public const string ChannelA = "channel-a";

    public const string IntegrationB = "integration-b";
    public const string TenantB = "tenant-b";
    public const string ClientB = "client-b";
    public const string SecretB = "secret-b-0123456789";
    public const string ChannelB = "channel-b";

    public const string CxoneHostA = "api-a.niceincontact.com";

    public const string AdminApiKey = "admin-key-0123456789-0123456789-0123456789";
    public const string ExtraTokenPath = "/oauth/cxone/token";

    public static readonly DateTimeOffset DeliveredAt = new(2025, 7, 25, 20, 5, 57, TimeSpan.Zero);

    public static readonly IReadOnlyDictionary<string, string> ChannelOwners = new Dictionary<string, string>
    {
        [ChannelA] = IntegrationA,
        [ChannelB] = IntegrationB,
    };
}
