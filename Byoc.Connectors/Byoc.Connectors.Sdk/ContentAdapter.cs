using System.Globalization;
using System.Text;
using Byoc.Connectors.V1;
using Byoc.Messages.V1;

namespace Byoc.Connectors.Sdk;

/// <summary>
/// Fits an agent's message to what the platform can show, and says what it changed so the agent's timeline can
/// tell: quick replies become numbered text, attachments the platform cannot take become links in the text, and
/// text over the limit is cut with an ellipsis.
/// </summary>
public static class ContentAdapter
{
    public static (MessageContent Content, IReadOnlyList<string> Changes) Adapt(MessageContent content, Capabilities can)
    {
        var adapted = content.Clone();
        var changes = new List<string>();
        var text = new StringBuilder(adapted.Text);

        if (adapted.QuickReplies.Count > 0 && !can.QuickReplies)
        {
            for (var i = 0; i < adapted.QuickReplies.Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n{i + 1}. {adapted.QuickReplies[i].Text}");
            }

            changes.Add($"{adapted.QuickReplies.Count} quick replies sent as numbered text");
            adapted.QuickReplies.Clear();
        }

        var unsupported = adapted.Attachments.Where(a => !Fits(a, can)).ToList();
        if (unsupported.Count > 0)
        {
            foreach (var attachment in unsupported)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n{(string.IsNullOrEmpty(attachment.FileName) ? "attachment" : attachment.FileName)}: {attachment.Url}");
                adapted.Attachments.Remove(attachment);
            }

            changes.Add($"{unsupported.Count} attachments sent as links");
        }

        if (can.MaxTextLength > 0 && text.Length > can.MaxTextLength)
        {
            var cut = can.MaxTextLength - 1;
            // Never cut a surrogate pair in half.
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            changes.Add($"text cut from {text.Length} to {can.MaxTextLength} characters");
            text.Length = cut;
            text.Append('…');
        }

        adapted.Text = text.ToString();
        return (adapted, changes);
    }

    private static bool Fits(Attachment attachment, Capabilities can) =>
        can.Attachments
        && (can.MaxAttachmentBytes <= 0 || attachment.SizeBytes <= can.MaxAttachmentBytes)
        && (can.AttachmentMimeTypes.Count == 0 || string.IsNullOrEmpty(attachment.MimeType)
            || can.AttachmentMimeTypes.Any(t => t.EndsWith("/*", StringComparison.Ordinal)
                ? attachment.MimeType.StartsWith(t[..^1], StringComparison.OrdinalIgnoreCase)
                : string.Equals(t, attachment.MimeType, StringComparison.OrdinalIgnoreCase)));
}
