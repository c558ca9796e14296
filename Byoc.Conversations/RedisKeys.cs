using System.Globalization;

namespace Byoc.Conversations;

/// <summary>
/// Every Redis key Conversations uses, versioned (<c>byoc:v1:</c>). Keys that one script or transaction touches
/// together share a hash tag in braces, so the layout works unchanged on Redis Cluster:
/// <c>{i:…}</c> an integration, <c>{c:…}</c> a channel, <c>{p:…}</c> an inbound partition.
/// docs/architecture.md lists them with their types and lifetimes.
/// </summary>
internal static class RedisKeys
{
    private const string Prefix = "byoc:v1:";

    /// <summary>HASH: an integration's settings and credentials (secrets hashed or encrypted).</summary>
    public static string Integration(string integrationId) => $"{Prefix}{{i:{integrationId}}}:integration";

    /// <summary>SET: ids of every integration.</summary>
    public const string Integrations = Prefix + "integrations";

    /// <summary>HASH: client id → integration id, for the token endpoint.</summary>
    public const string ClientIds = Prefix + "client-ids";

    /// <summary>HASH: a channel (point of contact): integration, connector, platform account.</summary>
    public static string Channel(string channelId) => $"{Prefix}{{c:{channelId}}}:channel";

    /// <summary>HASH: "connector\naccount" → channel id, for ingest.</summary>
    public const string Accounts = Prefix + "accounts";

    /// <summary>SET: the channel ids of an integration.</summary>
    public static string IntegrationChannels(string integrationId) => $"{Prefix}{{i:{integrationId}}}:channels";

    /// <summary>
    /// ZSET (all scores 0, ordered by member): the points of contact of a tenant for the admin list, paged by member
    /// ("lower-case name\nchannel id\nconnector\naccount\nintegration"; see RegistryStore.IndexMember).
    /// </summary>
    public static string TenantChannels(string tenantId) => $"{Prefix}tenant-channels:{tenantId}";

    /// <summary>STRING with TTL: the cached CXone access token of an integration, shared by every replica.</summary>
    public static string CxoneToken(string integrationId) => $"{Prefix}{{i:{integrationId}}}:cxone-token";

    /// <summary>STRING with TTL: who is fetching that token now (one auth call, not one per replica).</summary>
    public static string CxoneTokenLock(string integrationId) => $"{Prefix}{{i:{integrationId}}}:cxone-token-lock";

    /// <summary>STRING with TTL (<see cref="ConversationsOptions.IdRetention"/>): CXone id → "kind\nplatform id", per channel.</summary>
    public static string IdByCxoneId(string channelId, string cxoneId) => $"{Prefix}{{c:{channelId}}}:id:cxone:{cxoneId}";

    /// <summary>STRING with TTL: "kind\nplatform id" → CXone id, per channel.</summary>
    public static string IdByPlatformId(string channelId, string platformKey) => $"{Prefix}{{c:{channelId}}}:id:platform:{platformKey}";

    /// <summary>STRING with TTL: CXone thread id → channel id (legacy replies name only the thread).</summary>
    public static string ThreadChannel(string cxoneThreadId) => $"{Prefix}thread-channel:{cxoneThreadId}";

    /// <summary>HASH, read only: the ID map as written before it had a retention.</summary>
    public static string LegacyIdsByCxoneId(string channelId) => $"{Prefix}{{c:{channelId}}}:ids:cxone";

    /// <summary>HASH, read only: the ID map as written before it had a retention.</summary>
    public static string LegacyIdsByPlatformId(string channelId) => $"{Prefix}{{c:{channelId}}}:ids:platform";

    /// <summary>HASH, read only: thread → channel as written before it had a retention.</summary>
    public const string LegacyThreadChannels = Prefix + "thread-channels";

    /// <summary>STREAM: inbound work of one partition (consumer group <c>deliver</c>).</summary>
    public static string InboundStream(int partition) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{{p:{partition}}}:inbound");

    /// <summary>STRING with TTL: a message already ingested into this partition (dedup).</summary>
    public static string Seen(int partition, string cxoneMessageId) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{{p:{partition}}}:seen:{cxoneMessageId}");

    /// <summary>HASH: entry id → when its first failed attempt was (ms), so the retry budget survives a takeover; a field lives while its entry is pending.</summary>
    public static string FirstAttempts(int partition) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{{p:{partition}}}:first-attempts");

    /// <summary>STRING with TTL: which replica delivers this partition now.</summary>
    public static string PartitionLease(int partition) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{{p:{partition}}}:lease");

    /// <summary>STRING (counter): how often partition n's lease was taken; the lease holds "replica#generation", the fencing token.</summary>
    public static string PartitionLeaseGeneration(int partition) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{{p:{partition}}}:lease-generation");

    /// <summary>PUB/SUB channel: "partition n has new work".</summary>
    public const string InboundSignal = Prefix + "inbound-signal";

    /// <summary>ZSET: replica id → last heartbeat (ms), to share partitions fairly.</summary>
    public const string Replicas = Prefix + "replicas";

    /// <summary>LIST with TTL: the hops of one message.</summary>
    public static string Timeline(string channelId, string cxoneMessageId) => $"{Prefix}{{c:{channelId}}}:timeline:{cxoneMessageId}";

    /// <summary>STREAM, capped at <see cref="ConversationsOptions.DeadLetterCap"/> (oldest trimmed): messages CXone refused or that ran out of retries.</summary>
    public const string DeadLetters = Prefix + "dead-letters";

    /// <summary>
    /// The prefix of the dead letters' indexes. Its hash tag is the dead-letter stream's whole name, so the stream
    /// (a key without braces hashes whole) and its indexes share a slot and one script keeps them in step.
    /// </summary>
    public const string DeadLetterIndexPrefix = Prefix + "{" + DeadLetters + "}:";

    /// <summary>ZSET (all scores 0, members the padded stream ids, so lexical order is stream order): one tenant's dead letters.</summary>
    public static string DeadLettersOfTenant(string tenantId) => DeadLetterIndexPrefix + "tenant:" + tenantId;

    /// <summary>ZSET like <see cref="DeadLettersOfTenant"/>: one channel's dead letters.</summary>
    public static string DeadLettersOfChannel(string channelId) => DeadLetterIndexPrefix + "channel:" + channelId;

    /// <summary>HASH: channel id → tenant id of the channels that have dead letters (a channel filter checks scope with it).</summary>
    public const string DeadLetterChannelTenants = DeadLetterIndexPrefix + "channel-tenants";

    /// <summary>STRING with TTL: one dead letter is being replayed (a second click does not replay it twice).</summary>
    public static string DeadLetterReplayClaim(string deadLetterId) => DeadLetterIndexPrefix + "replay-claim:" + deadLetterId;

    /// <summary>HASH: a platform account's last success and last failure (ms, reason), for the connector health page.</summary>
    public static string AccountHealth(string channelId) => $"{Prefix}{{c:{channelId}}}:account-health";

    /// <summary>STRING with TTL (24 h): the answer to one client-secret rotation (secret protected), by its idempotency key's digest.</summary>
    public static string SecretRotation(string integrationId, string keyDigest) => $"{Prefix}{{i:{integrationId}}}:secret-rotation:{keyDigest}";

    /// <summary>STRING with TTL: the answer to one outbound request, by its idempotency key.</summary>
    public static string Delivery(string integrationId, string idempotencyKey) => $"{Prefix}{{i:{integrationId}}}:delivery:{idempotencyKey}";

    /// <summary>STRING with TTL: "{parts}:{first part's platform id}" of a multi-part send the platform took in part, to resume it.</summary>
    public static string DeliveryParts(string integrationId, string idempotencyKey) => $"{Prefix}{{i:{integrationId}}}:delivery-parts:{idempotencyKey}";
}
