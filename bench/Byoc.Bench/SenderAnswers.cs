using System.Collections.Concurrent;

namespace Byoc.Bench;

/// <summary>
/// What senders were answered besides success: how many of each answer (status code, "connection failed",
/// "timeout"), a few bodies of each server error other than 503 (to find where it came from), and, per message,
/// when it got which answer before it was acknowledged (to tie a duplicate to the fault it went through).
/// </summary>
public sealed class SenderAnswers
{
    private const int SamplesPerAnswer = 5;
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _samples = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(DateTimeOffset At, string Answer)>> _history = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>Up to five bodies of each 5xx answer other than 503, by status code.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ServerErrorSamples => _samples.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value], StringComparer.Ordinal);

    /// <summary>The answers one message got before it was acknowledged (empty if it was at once).</summary>
    public IReadOnlyList<(DateTimeOffset At, string Answer)> Of(string message) => _history.TryGetValue(message, out var h) ? [.. h] : [];

    public void Record(string message, string answer, string? body = null)
    {
        _counts.AddOrUpdate(answer, 1, (_, n) => n + 1);
        _history.GetOrAdd(message, _ => new()).Enqueue((DateTimeOffset.UtcNow, answer));
        if (body is not null && answer is ['5', _, _] && answer != "503")
        {
            var samples = _samples.GetOrAdd(answer, _ => new());
            if (samples.Count < SamplesPerAnswer)
            {
                samples.Enqueue(body.Length > 400 ? body[..400] : body);
            }
        }
    }
}
