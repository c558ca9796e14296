namespace Byoc.Conversations.Cxone;

public enum CxoneOutcome
{
    /// <summary>2xx.</summary>
    Accepted,

    /// <summary>429, 5xx, a timeout or a broken connection: try again later.</summary>
    Retryable,

    /// <summary>Any other 4xx (after one token refresh on 401), or Byoc's configuration wrong (status 0): retrying cannot help.</summary>
    Rejected,
}

/// <summary>What CXone answered, classified for the pipelines.</summary>
public sealed record CxoneResult(CxoneOutcome Outcome, int StatusCode, string? Body, TimeSpan? RetryAfter = null)
{
    public static CxoneResult Failed(string reason) => new(CxoneOutcome.Retryable, 0, reason);

    public bool IsAccepted => Outcome == CxoneOutcome.Accepted;
}
