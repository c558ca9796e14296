namespace Byoc.Connectors.Sdk;

/// <summary>
/// A message the platform takes in several calls (Telegram: the text, then each file). Parts an earlier attempt had
/// accepted are skipped, so a retry never sends the customer part 1 again; a failure after a part was accepted
/// becomes <see cref="PartlySentException"/>, which tells Conversations where to resume.
/// </summary>
public static class MessageParts
{
    /// <summary>Sends the parts not yet accepted, in order.</summary>
    /// <param name="messageId">The platform's id of a sent part (the first part's id is the message's).</param>
    /// <returns>The id of the first part (from this attempt or an earlier one) and what this attempt sent.</returns>
    public static async Task<(string FirstPartMessageId, IReadOnlyList<T> Sent)> SendAsync<T>(
        OutgoingMessage message, IReadOnlyList<Func<Task<T>>> parts, Func<T, string> messageId)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(messageId);
        var first = message.PartsAlreadyAccepted > 0 ? message.FirstPartMessageId ?? string.Empty : null;
        var sent = new List<T>();
        for (var i = Math.Max(0, message.PartsAlreadyAccepted); i < parts.Count; i++)
        {
            T part;
            try
            {
                part = await parts[i]();
            }
            catch (Exception e) when (first is not null && e is not OperationCanceledException)
            {
                throw new PartlySentException(i, first, e);
            }

            sent.Add(part);
            first ??= messageId(part);
        }

        return (first ?? string.Empty, sent);
    }
}
