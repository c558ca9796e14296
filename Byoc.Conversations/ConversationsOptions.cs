using System.ComponentModel.DataAnnotations;

namespace Byoc.Conversations;

/// <summary>Section <c>Byoc:Conversations</c>.</summary>
public sealed class ConversationsOptions
{
    public const string Section = "Byoc:Conversations";

    /// <summary>Inbound streams; fixed for a deployment (a message's partition derives from it).</summary>
    [Range(1, 1024)]
    public int Partitions { get; set; } = 16;

    /// <summary>How long a replica's claim on a partition lasts without renewal; after it, survivors take over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PartitionLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages read from a partition at once.</summary>
    [Range(1, 10_000)]
    public int ReadBatch { get; set; } = 256;

    /// <summary>Deliveries to CXone under way at once, across threads, per replica.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentDeliveries { get; set; } = 128;

    /// <summary>Deliveries of one integration (tenant) under way at once, per replica: one tenant cannot take every slot.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentDeliveriesPerIntegration { get; set; } = 32;

    /// <summary>
    /// Entries a partition holds in memory at once (delivering, parked for a retry, or waiting behind their thread);
    /// past it the partition pauses reading. Parked entries do not count against <see cref="ReadBatch"/>'s budget.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxHeldPerPartition { get; set; } = 10_000;

    /// <summary>CXone auth refusals in a row (per integration) that open the auth circuit.</summary>
    [Range(1, 1000)]
    public int AuthFailuresToOpen { get; set; } = 3;

    /// <summary>How long an open auth circuit makes no auth call for that integration.</summary>
    public TimeSpan AuthCircuitOpenFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a message is retried while CXone throttles or fails (429, 5xx, timeouts) before it becomes a dead
    /// letter; a CXone 4xx is never retried. An outage shorter than this loses no message to the dead letters.
    /// </summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts per message, as a second bound beside <see cref="RetryFor"/>.</summary>
    [Range(1, 1_000_000)]
    public int MaxAttempts { get; set; } = 100_000;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between attempts when CXone gives no Retry-After (a Retry-After is honoured in full).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long acknowledged inbound entries stay in their stream (for inspection) before it is trimmed.</summary>
    public TimeSpan StreamRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a partition's owner trims its stream.</summary>
    public TimeSpan StreamTrimInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a platform message id is remembered for dedup.</summary>
    public TimeSpan DedupRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long an ID-map entry (both directions, and thread → channel) is kept after its last use.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan IdRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Dead letters kept; beyond it the oldest are trimmed.</summary>
    [Range(1, 10_000_000)]
    public int DeadLetterCap { get; set; } = 100_000;

    /// <summary>How long message timelines are kept.</summary>
    public TimeSpan TimelineRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long the answer to an outbound request is kept for CXone's retries.</summary>
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long the answer is kept when the key was derived from the request's content (no CXone request id): CXone's
    /// immediate retry window only, so an agent's second identical message a little later is sent, not swallowed.
    /// Retries while the first is still being sent wait for its answer whatever this is.
    /// </summary>
    public TimeSpan DerivedKeyRetention { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When an ingest is acknowledged: <see cref="Inbound.DurabilityMode.WaitAof"/> (default) only once the entry is
    /// fsynced (and on <see cref="DurabilityReplicas"/> replicas), else UNAVAILABLE; <c>Written</c> once Redis applied it.
    /// </summary>
    public Inbound.DurabilityMode Durability { get; set; } = Inbound.DurabilityMode.WaitAof;

    /// <summary>Replicas that must have an ingested entry before it is acknowledged (WAITAOF numreplicas, or WAIT).</summary>
    [Range(0, 16)]
    public int DurabilityReplicas { get; set; }

    /// <summary>How long an ingest waits for Redis to confirm durability before it answers UNAVAILABLE.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan DurabilityTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Dedicated Redis connections ingest writes and waits on (WAITAOF/WAIT block the connection they use).</summary>
    [Range(1, 64)]
    public int DurableConnections { get; set; } = 4;

    /// <summary>Deadline of a call to a connector.</summary>
    public TimeSpan ConnectorDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one HTTP call to CXone.</summary>
    public TimeSpan CxoneTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
