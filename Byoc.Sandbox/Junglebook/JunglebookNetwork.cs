using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Byoc.Sandbox.Junglebook;

public sealed record JunglebookUser(string Id, string Name, string Handle, string? Avatar);

public sealed record JunglebookThread(string Id, string Profile, bool Public, string Title, string CustomerId);

/// <summary>A message on Junglebook: from a customer (AuthorId = user) or from a profile (AuthorId = profile id).</summary>
public sealed record JunglebookPost(
    string Id, string ThreadId, string AuthorId, bool FromProfile, string Text,
    IReadOnlyList<JunglebookFile> Attachments, DateTimeOffset CreatedAt)
{
    public string Status { get; set; } = "sent";
}

public sealed record JunglebookFile(string Name, string Url);

/// <summary>The state of the simulated network, in memory: users, threads (public posts, private chats), messages.</summary>
public sealed class JunglebookNetwork(IOptions<JunglebookOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, JunglebookUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JunglebookThread> _threads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<JunglebookPost>> _posts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JunglebookPost> _byId = new(StringComparer.Ordinal);
    private long _sequence;

    public JunglebookOptions Options => options.Value;

    public string? ProfileOfToken(string token) =>
        Options.Profiles.FirstOrDefault(p => p.Value.Token.Length > 0 && p.Value.Token == token).Key;

    public JunglebookUser EnsureUser(string id, string? name) =>
        _users.GetOrAdd(id, _ => new JunglebookUser(id, string.IsNullOrWhiteSpace(name) ? id : name, "@" + id, null));

    public JunglebookUser? User(string id) => _users.GetValueOrDefault(id);

    public JunglebookThread? Thread(string id) => _threads.GetValueOrDefault(id);

    public JunglebookPost? Post(string id) => _byId.GetValueOrDefault(id);

    public IReadOnlyList<JunglebookThread> ThreadsOf(string profile) => [.. _threads.Values.Where(t => t.Profile == profile).OrderBy(t => t.Id, StringComparer.Ordinal)];

    public IReadOnlyList<JunglebookPost> Posts(string threadId)
    {
        var posts = _posts.GetValueOrDefault(threadId);
        if (posts is null)
        {
            return [];
        }

        lock (posts)
        {
            return [.. posts];
        }
    }

    /// <summary>Forgets the messages of a thread, keeping the thread.</summary>
    public void ClearPosts(string threadId)
    {
        if (_posts.TryGetValue(threadId, out var posts))
        {
            lock (posts)
            {
                foreach (var post in posts)
                {
                    _byId.TryRemove(post.Id, out _);
                }

                posts.Clear();
            }
        }
    }

    /// <summary>The private thread between a profile and a customer (opened on first use) or a new public post thread.</summary>
    public JunglebookThread OpenThread(string profile, string customerId, bool isPublic, string? title)
    {
        if (!isPublic && _threads.Values.FirstOrDefault(t => t.Profile == profile && t.CustomerId == customerId && !t.Public) is { } existing)
        {
            return existing;
        }

        var id = NextId(isPublic ? "post" : "chat");
        var thread = new JunglebookThread(id, profile, isPublic, title ?? (isPublic ? "Public post" : $"Chat with {customerId}"), customerId);
        _threads[id] = thread;
        return thread;
    }

    public JunglebookPost Add(JunglebookThread thread, string authorId, bool fromProfile, string text, IReadOnlyList<JunglebookFile> attachments)
    {
        var post = new JunglebookPost(NextId("m"), thread.Id, authorId, fromProfile, text, attachments, time.GetUtcNow());
        var posts = _posts.GetOrAdd(thread.Id, _ => []);
        lock (posts)
        {
            posts.Add(post);
        }

        _byId[post.Id] = post;
        return post;
    }

    private string NextId(string prefix) => $"{prefix}-{Interlocked.Increment(ref _sequence).ToString("D6", CultureInfo.InvariantCulture)}";
}
