using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Byoc.Conversations.Cxone;

/// <summary>
/// Remembers, per integration, that CXone keeps refusing its access key (a revoked or wrong key): after
/// <see cref="ConversationsOptions.AuthFailuresToOpen"/> refusals in a row no auth call is made for
/// <see cref="ConversationsOptions.AuthCircuitOpenFor"/>; every CXone call of that integration fails at once with
/// the time left as its Retry-After, so the inbound pipeline parks the integration instead of asking CXone again
/// on every attempt. After that one call probes again (and one refusal reopens the circuit). Per replica.
/// </summary>
public sealed class CxoneAuthCircuit(IOptions<ConversationsOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>How long the circuit stays open, or null when auth may be tried.</summary>
    public TimeSpan? OpenFor(string integrationId)
    {
        if (!_states.TryGetValue(integrationId, out var state))
        {
            return null;
        }

        var left = state.OpenUntil - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : null;
    }

    public void Refused(string integrationId)
    {
        var state = _states.GetOrAdd(integrationId, _ => new State());
        lock (state)
        {
            state.Refusals++;
            if (state.Refusals >= options.Value.AuthFailuresToOpen)
            {
                state.OpenUntil = time.GetUtcNow() + options.Value.AuthCircuitOpenFor;
            }
        }
    }

    public void Succeeded(string integrationId) => _states.TryRemove(integrationId, out _);

    private sealed class State
    {
        public int Refusals;

        public DateTimeOffset OpenUntil = DateTimeOffset.MinValue;
    }
}
