using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Byoc.Testing;

namespace Byoc.Bench;

/// <summary>A Junglebook thread a customer opened, with the id CXone knows it by once it arrived there.</summary>
public sealed record ReplyThread(Profile Profile, string JunglebookThreadId, string CxoneThreadId);

/// <summary>
/// Agents replying: unique DFO 3.0 outbound requests (<c>POST /2.0/channel/{id}/outbound</c>, bearer token) spread over
/// threads customers opened on Junglebook, posted to the Edge (or the relay) until the time is up; each reply must
/// then be on Junglebook exactly once. With <c>retryFor</c>, a reply not acknowledged is sent again with the same
/// <c>Idempotency-Key</c> until it is (as CXone retries), and each worker's next reply waits for it.
/// </summary>
public sealed class OutboundLoad(HttpClient http, Uri target, string tag, IReadOnlyList<ReplyThread> threads, Func<CancellationToken, Task<string>>? token, bool useCxoneThreadIds,
    TimeSpan? retryFor = null)
{
    private readonly ConcurrentBag<List<string>> _acknowledged = [];
    private readonly ConcurrentDictionary<string, string> _messageIds = new(StringComparer.Ordinal);
    private readonly SenderAnswers _answers = new();
    private volatile string? _token;
    private volatile bool _stopped;
    private long _acknowledgedCount;

    public string Tag => tag;

    /// <summary>The replies acknowledged; read it once the run is over (the workers append to it meanwhile).</summary>
    public IReadOnlyList<string> Acknowledged => [.. _acknowledged.SelectMany(a => a)];

    /// <summary>Replies acknowledged so far, safe to read while the run is under way.</summary>
    public long AcknowledgedCount => Interlocked.Read(ref _acknowledgedCount);

    /// <summary>The id Byoc answered for each acknowledged reply (CXone's idOnExternalPlatform of the message).</summary>
    public IReadOnlyDictionary<string, string> MessageIds => _messageIds;

    /// <summary>Answers other than success (status code, or the exception), with how many of each.</summary>
    public IReadOnlyDictionary<string, int> Retried => _answers.Counts;

    /// <summary>The answers in detail: samples of server errors, and each reply's answers before its acknowledgement.</summary>
    public SenderAnswers Answers => _answers;

    /// <summary>Each worker ends after the reply it is sending now.</summary>
    public void Stop() => _stopped = true;

    /// <summary>Customers open <paramref name="perProfile"/> threads on each profile; waits until CXone has each.</summary>
    public static async Task<IReadOnlyList<ReplyThread>> OpenThreadsAsync(SandboxClient sandbox, string tag, IReadOnlyList<Profile> profiles, int perProfile, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var opened = new List<(Profile Profile, string ThreadId, string Text)>();
        foreach (var profile in profiles)
        {
            for (var i = 0; i < perProfile; i++)
            {
                var text = $"{tag} open {profile.Name} {i}";
                using var response = await sandbox.Http.PostAsJsonAsync("/junglebook/customer/messages",
                    new { profile = profile.Name, userId = $"{tag}-{profile.Name}-u{i}", userName = $"Bench Customer {i}", text, @public = false }, cancellationToken);
                response.EnsureSuccessStatusCode();
                using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                opened.Add((profile, answer.RootElement.GetProperty("threadId").GetString()!, text));
            }
        }

        var until = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var cxoneThreads = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var profile in profiles)
            {
                using var log = JsonDocument.Parse(await sandbox.Http.GetStringAsync($"/sandbox/cxone/channels/{profile.ChannelId}/messages", cancellationToken));
                foreach (var message in log.RootElement.GetProperty("messages").EnumerateArray())
                {
                    if (message.GetProperty("messageContent").GetProperty("payload").TryGetProperty("text", out var text) && text.GetString() is { } t && t.StartsWith(tag, StringComparison.Ordinal))
                    {
                        cxoneThreads[t] = message.GetProperty("thread").GetProperty("idOnExternalPlatform").GetString()!;
                    }
                }
            }

            if (opened.All(o => cxoneThreads.ContainsKey(o.Text)))
            {
                return [.. opened.Select(o => new ReplyThread(o.Profile, o.ThreadId, cxoneThreads[o.Text]))];
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"only {opened.Count(o => cxoneThreads.ContainsKey(o.Text))} of {opened.Count} opened threads reached CXone");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    public Task<LoadResult> RunAsync(string name, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var logs = new List<string>[connections];
        for (var w = 0; w < connections; w++)
        {
            _acknowledged.Add(logs[w] = new List<string>(8192));
        }

        return ClosedLoop.RunAsync(name, connections, duration, async (w, n, ct) =>
        {
            if (_stopped)
            {
                return Outcome.Done;
            }

            var thread = threads[(int)((w + (n * connections)) % threads.Count)];
            var text = $"{tag} {w} {n}";
            if (await ReplyAsync(thread, text, ct))
            {
                logs[w].Add(text);
                Interlocked.Increment(ref _acknowledgedCount);
                return Outcome.Succeeded;
            }

            return Outcome.Failed;
        }, cancellationToken);
    }

    private async Task<bool> ReplyAsync(ReplyThread thread, string text, CancellationToken cancellationToken)
    {
        var threadId = useCxoneThreadIds ? thread.CxoneThreadId : thread.JunglebookThreadId;
        var body = $$$"""{"brand":{"id":4567,"tenantId":"11ee0000-sand-b0x0-0000-000000000001","businessUnitId":4607084},"thread":{"idOnExternalPlatform":"{{{threadId}}}"},"messageContent":{"type":"TEXT","payload":{"text":"{{{text}}}"}},"endUserRecipients":[],"attachments":[],"isReplyToSpecificMessage":false}""";
        var giveUpAt = DateTimeOffset.UtcNow + (retryFor ?? TimeSpan.Zero);
        for (var attempt = 1; attempt <= 2 || DateTimeOffset.UtcNow < giveUpAt; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, $"2.0/channel/{thread.Profile.ChannelId}/outbound"))
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            if (retryFor is not null)
            {
                // CXone's id for the request: its retries are the same request, never a second message.
                request.Headers.Add("Idempotency-Key", text.Replace(' ', '-'));
            }

            try
            {
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token ??= await token(cancellationToken));
                }

                using var response = await http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null)
                {
                    // As CXone does: a 401 makes it fetch a token and try once more.
                    _token = null;
                    _answers.Record(text, "401");
                    continue;
                }

                if (response.IsSuccessStatusCode)
                {
                    if (retryFor is not null)
                    {
                        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                        if (answer.RootElement.TryGetProperty("idOnExternalPlatform", out var id) && id.GetString() is { } messageId)
                        {
                            _messageIds[text] = messageId;
                        }
                    }

                    return true;
                }

                _answers.Record(text, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), await InboundLoad.ServerErrorBodyAsync(response, cancellationToken));
                if (retryFor is null)
                {
                    return false;
                }
            }
            catch (HttpRequestException)
            {
                _answers.Record(text, "connection failed");
                if (retryFor is null)
                {
                    return false;
                }
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && retryFor is not null)
            {
                _answers.Record(text, "timeout");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 1000)), cancellationToken);
        }

        return false;
    }

}

/// <summary>What Junglebook shows of one outbound run: every acknowledged reply exactly once.</summary>
public sealed record OutboundCheck(int Acknowledged, int Delivered, int Lost, int Duplicated, int Unacknowledged)
{
    public bool ExactlyOnce => Lost == 0 && Duplicated == 0;

    public override string ToString() => $"{Acknowledged} acknowledged, {Delivered} on Junglebook, {Lost} lost, {Duplicated} duplicated, {Unacknowledged} delivered but not acknowledged";

    public static async Task<OutboundCheck> VerifyAsync(SandboxClient sandbox, OutboundLoad load, IReadOnlyList<ReplyThread> threads, CancellationToken cancellationToken)
    {
        var acknowledged = load.Acknowledged.ToHashSet(StringComparer.Ordinal);
        var prefix = load.Tag + " ";
        var delivered = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var thread in threads)
        {
            using var view = JsonDocument.Parse(await sandbox.Http.GetStringAsync($"/junglebook/customer/threads/{thread.JunglebookThreadId}", cancellationToken));
            foreach (var post in view.RootElement.GetProperty("messages").EnumerateArray())
            {
                if (post.GetProperty("text").GetString() is { } text && text.StartsWith(prefix, StringComparison.Ordinal))
                {
                    delivered[text] = delivered.GetValueOrDefault(text) + 1;
                }
            }
        }

        return new OutboundCheck(
            acknowledged.Count,
            delivered.Values.Sum(),
            acknowledged.Count(a => !delivered.ContainsKey(a)),
            delivered.Values.Count(c => c > 1),
            delivered.Keys.Count(d => !acknowledged.Contains(d)));
    }
}

/// <summary>Tokens from the Edge's token endpoint, as CXone asks for them (client credentials, form body).</summary>
public static class EdgeTokens
{
    public const string ClientId = "byoc-demo-client";
    public const string ClientSecret = "byoc-demo-secret-change-me";

    public static async Task<string> FetchAsync(HttpClient http, Uri edge, CancellationToken cancellationToken)
    {
        using var response = await RequestAsync(http, edge, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return answer.RootElement.GetProperty("access_token").GetString()!;
    }

    public static Task<HttpResponseMessage> RequestAsync(HttpClient http, Uri edge, CancellationToken cancellationToken) =>
        http.PostAsync(new Uri(edge, "1.0/token"), new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", ClientId),
            new("client_secret", ClientSecret),
        ]), cancellationToken);

    public static Task<LoadResult> RunAsync(HttpClient http, Uri edge, int connections, TimeSpan duration, CancellationToken cancellationToken) =>
        ClosedLoop.RunAsync("tokens", connections, duration, async (_, _, ct) =>
        {
            try
            {
                using var response = await RequestAsync(http, edge, ct);
                return response.IsSuccessStatusCode ? Outcome.Succeeded : Outcome.Failed;
            }
            catch (HttpRequestException)
            {
                return Outcome.Failed;
            }
        }, cancellationToken);
}
