using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Byoc.Testing;

namespace Byoc.Bench;

/// <summary>A Junglebook company profile as its webhooks are signed: <c>monkey-kingdom</c> is channel <c>junglebook-monkey-kingdom</c>.</summary>
public sealed record Profile(string Name, string Token, string WebhookSecret)
{
    public string ChannelId => $"junglebook-{Name}";

    public static readonly IReadOnlyList<Profile> Sandbox =
    [
        new("monkey-kingdom", "jb-token-monkey-kingdom", "jb-webhook-secret-monkey-kingdom"),
        new("man-village", "jb-token-man-village", "jb-webhook-secret-man-village"),
    ];
}

/// <summary>One message a customer sent in the benchmark: thread, its place in the thread, when, and whether it was acknowledged.</summary>
public readonly record struct SentMessage(int Thread, int Sequence, long SentAtMs, bool Acknowledged);

/// <summary>
/// Customers writing to the profiles: signed Junglebook message webhooks posted to <c>{webhooks}/{profile}</c> (the
/// Edge's <c>/hooks/junglebook/</c>, or the relay's), spread over <c>threads</c> threads. Each worker owns the threads
/// t ≡ w (mod connections) and writes to them in turn, so a thread's next message is sent only after its previous one
/// was acknowledged: the order CXone must show. A refused or failed webhook is sent again, as platforms do, up to
/// five times, or (<c>retryFor</c>) until acknowledged, with the same id, for as long as a platform keeps retrying.
/// Messages <c>refuse</c> picks carry <see cref="RefuseMarker"/> in their text (for a CXone told to refuse them for good).
/// </summary>
public sealed class InboundLoad(HttpClient http, Uri webhooks, string tag, int threads, IReadOnlyList<Profile> profiles, int? messagesPerThread = null,
    TimeSpan? retryFor = null, Func<int, int, bool>? refuse = null)
{
    /// <summary>What a text carries when CXone is to refuse it for good (the fault suite arms CXone with it).</summary>
    public const string RefuseMarker = "[refuse-for-good]";

    private readonly ConcurrentBag<List<SentMessage>> _sent = [];
    private readonly SenderAnswers _answers = new();
    private volatile bool _stopped;
    private long _acknowledged;

    public string Tag => tag;

    public int Threads => threads;

    /// <summary>Every message sent; read it once the run is over (the workers append to it meanwhile).</summary>
    public IReadOnlyList<SentMessage> Sent => [.. _sent.SelectMany(s => s)];

    /// <summary>Messages acknowledged so far, safe to read while the run is under way.</summary>
    public long AcknowledgedCount => Interlocked.Read(ref _acknowledged);

    /// <summary>Answers other than success the senders got (status code, or the exception), with how many of each.</summary>
    public IReadOnlyDictionary<string, int> Retried => _answers.Counts;

    /// <summary>The answers in detail: samples of server errors, and each message's answers before its acknowledgement.</summary>
    public SenderAnswers Answers => _answers;

    /// <summary>Whether a message carries the refusal marker.</summary>
    public bool IsRefused(int thread, int sequence) => refuse?.Invoke(thread, sequence) == true;

    /// <summary>Each worker ends after the message it is sending now (acknowledged or given up).</summary>
    public void Stop() => _stopped = true;

    public Task<LoadResult> RunAsync(string name, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var owned = Enumerable.Range(0, connections).Select(w => Enumerable.Range(0, threads).Where(t => t % connections == w).ToArray()).ToArray();
        var logs = new List<SentMessage>[connections];
        for (var w = 0; w < connections; w++)
        {
            _sent.Add(logs[w] = new List<SentMessage>(8192));
        }

        return ClosedLoop.RunAsync(name, connections, duration, async (w, n, ct) =>
        {
            var mine = owned[w];
            if (mine.Length == 0)
            {
                return Outcome.Done;
            }

            var thread = mine[n % mine.Length];
            var sequence = (int)(n / mine.Length);
            if (sequence >= messagesPerThread || _stopped)
            {
                return Outcome.Done;
            }

            var sentAt = DateTimeOffset.UtcNow;
            var acknowledged = await SendAsync(thread, sequence, sentAt, ct);
            logs[w].Add(new SentMessage(thread, sequence, sentAt.ToUnixTimeMilliseconds(), acknowledged));
            if (acknowledged)
            {
                Interlocked.Increment(ref _acknowledged);
            }

            return acknowledged ? Outcome.Succeeded : Outcome.Failed;
        }, cancellationToken);
    }

    public static string Text(string tag, int thread, int sequence) => $"{tag} {thread} {sequence}";

    private async Task<bool> SendAsync(int thread, int sequence, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        var profile = profiles[thread % profiles.Count];
        var text = Text(tag, thread, sequence) + (IsRefused(thread, sequence) ? " " + RefuseMarker : "");
        var body = Encoding.UTF8.GetBytes(
            $$$"""{"type":"message","profile":"{{{profile.Name}}}","message":{"id":"{{{tag}}}-{{{thread}}}-{{{sequence}}}","threadId":"{{{tag}}}-t{{{thread}}}","public":false,"author":{"id":"{{{tag}}}-u{{{thread}}}","name":"Bench Customer {{{thread}}}"},"text":"{{{text}}}","attachments":[],"createdAt":"{{{sentAt.ToString("O", CultureInfo.InvariantCulture)}}}"}}""");
        var giveUpAt = DateTimeOffset.UtcNow + (retryFor ?? TimeSpan.Zero);
        for (var attempt = 1; attempt <= 5 || DateTimeOffset.UtcNow < giveUpAt; attempt++)
        {
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(webhooks, profile.Name))
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
            };
            request.Headers.Add("X-Junglebook-Timestamp", timestamp);
            request.Headers.Add("X-Junglebook-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(profile.WebhookSecret), signed)));
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                _answers.Record(Text(tag, thread, sequence), ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), await ServerErrorBodyAsync(response, cancellationToken));
            }
            catch (HttpRequestException)
            {
                // Sent again below, as a platform would.
                _answers.Record(Text(tag, thread, sequence), "connection failed");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The client's timeout: sent again.
                _answers.Record(Text(tag, thread, sequence), "timeout");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 1000)), cancellationToken);
        }

        return false;
    }

    internal static async Task<string?> ServerErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        (int)response.StatusCode >= 500 && response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable
            ? $"{response.Headers.Server} {await response.Content.ReadAsStringAsync(cancellationToken)}"
            : null;
}

/// <summary>What CXone (the sandbox) shows of one inbound run, checked against what was acknowledged.</summary>
public sealed record InboundCheck(int Acknowledged, int Arrived, int Lost, int Duplicated, int OutOfOrder, int Unacknowledged, int Redelivered, Latencies EndToEnd,
    IReadOnlyList<SentMessage> LostMessages)
{
    public bool ExactlyOnceInOrder => Lost == 0 && Duplicated == 0 && OutOfOrder == 0;

    public override string ToString() =>
        $"{Acknowledged} acknowledged, {Arrived} arrived, {Lost} lost, {Duplicated} duplicated, {OutOfOrder} out of order, {Unacknowledged} unacknowledged arrivals, {Redelivered} redeliveries absorbed by CXone's upsert";

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>) until every acknowledged message of the run is at CXone, then checks:
    /// each exactly once, each thread in the order it was sent, and when each arrived.
    /// </summary>
    public static async Task<InboundCheck> VerifyAsync(SandboxClient sandbox, InboundLoad load, IReadOnlyList<Profile> profiles, int updatesBefore, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sent = load.Sent;
        // A message CXone refuses for good is not expected there (the dead letters hold it).
        var acknowledged = sent.Where(s => s.Acknowledged && !load.IsRefused(s.Thread, s.Sequence)).ToDictionary(s => (s.Thread, s.Sequence));
        var until = DateTimeOffset.UtcNow + timeout;
        List<(int Thread, int Sequence, long ReceivedAtMs)> arrivals;
        int updates;
        while (true)
        {
            (arrivals, updates) = await ArrivalsAsync(sandbox, load.Tag, profiles, cancellationToken);
            var present = arrivals.Select(a => (a.Thread, a.Sequence)).ToHashSet();
            if (acknowledged.Keys.All(present.Contains) || DateTimeOffset.UtcNow > until)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var counts = arrivals.GroupBy(a => (a.Thread, a.Sequence)).ToDictionary(g => g.Key, g => g.Count());
        var lostMessages = acknowledged.Values.Where(s => !counts.ContainsKey((s.Thread, s.Sequence))).OrderBy(s => s.SentAtMs).ToList();
        var duplicated = counts.Values.Count(c => c > 1);
        var unacknowledged = counts.Keys.Count(k => !acknowledged.ContainsKey(k));
        var outOfOrder = arrivals.GroupBy(a => a.Thread).Sum(g => g.Zip(g.Skip(1)).Count(p => p.Second.Sequence <= p.First.Sequence));
        var endToEnd = new Latencies(arrivals.Where(a => acknowledged.ContainsKey((a.Thread, a.Sequence)))
            .Select(a => (double)(a.ReceivedAtMs - acknowledged[(a.Thread, a.Sequence)].SentAtMs)));
        return new InboundCheck(acknowledged.Count, arrivals.Count, lostMessages.Count, duplicated, outOfOrder, unacknowledged, updates - updatesBefore, endToEnd, lostMessages);
    }

    private static async Task<(List<(int, int, long)>, int)> ArrivalsAsync(SandboxClient sandbox, string tag, IReadOnlyList<Profile> profiles, CancellationToken cancellationToken)
    {
        var arrivals = new List<(int, int, long)>();
        var updates = 0;
        var prefix = tag + " ";
        foreach (var profile in profiles)
        {
            using var log = JsonDocument.Parse(await sandbox.Http.GetStringAsync($"/sandbox/cxone/channels/{profile.ChannelId}/messages", cancellationToken));
            updates += log.RootElement.GetProperty("updates").GetInt32();
            foreach (var message in log.RootElement.GetProperty("messages").EnumerateArray())
            {
                var text = message.GetProperty("messageContent").GetProperty("payload").TryGetProperty("text", out var t) ? t.GetString() : null;
                if (text is null || !text.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var parts = text.Split(' ');
                if (parts.Length >= 3 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var thread) && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var sequence))
                {
                    arrivals.Add((thread, sequence, message.GetProperty("sandboxReceivedAtMs").GetInt64()));
                }
            }
        }

        return (arrivals, updates);
    }
}
