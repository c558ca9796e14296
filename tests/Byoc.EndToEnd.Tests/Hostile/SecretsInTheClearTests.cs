using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Byoc.Bench;
using Byoc.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Byoc.EndToEnd.Tests.Hostile;

/// <summary>
/// Secrets of known value go through the flows that handle them on the running app (client credentials generated and
/// rotated through the admin API, token requests right and wrong, a platform account's write-only settings, the CXone
/// access key, the admin API key, and each of them where no secret belongs); then every answer the test got, every
/// log line of Byoc's processes, every trace and log they exported over OTLP meanwhile, every value in Redis and what
/// Redis keeps on disk (an uncompressed dump and the append-only log) is searched for each, in clear, in base64 (any alignment) and URL-encoded. Where one is found is printed, never the secret.
/// </summary>
[Collection(LoadSmokeCollection.Name)]
public sealed class SecretsInTheClearTests(LoadSmokeApp app, ITestOutputHelper output)
{
    // Byoc's own processes; the sandbox plays CXone and Junglebook, which do get the secrets meant for them.
    private static readonly string[] ProductResources = ["edge", "conversations", "connector-junglebook", "redis"];
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(15);

    private readonly List<(string Where, string Body, string? Issued)> _answers = [];

    [Fact]
    public async Task No_secret_is_found_in_clear_base64_or_url_encoded_in_any_answer_log_line_exported_trace_redis_value_or_redis_file()
    {
        // No AOF rewrite while the test runs: a rewrite folds the log into an RDB preamble (compressed), and every
        // write this test makes must stay readable in the log's own files.
        await using var noRewrite = await AofRewritesOffAsync();
        await using var logs = await ResourceLogs.WatchAsync(app.App.App, ProductResources);
        using var telemetry = app.Telemetry.Record();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = app.App.Edge, Timeout = NoHang };
        var run = Guid.NewGuid().ToString("N");
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal) { ["admin API key"] = LoadSmokeApp.AdminApiKey };

        // Credentials of the security tests' integration: generated, then rotated with an overlap (both work for now).
        var generated = await AdminAsync(http, HttpMethod.Post, $"/admin/api/integrations/{LoadSmokeApp.OtherIntegrationId}/credentials", new { newClientId = true }, issues: "generated client secret");
        var clientId = generated.GetProperty("clientId").GetString()!;
        secrets["generated client secret"] = generated.GetProperty("clientSecret").GetString()!;
        var rotated = await AdminAsync(http, HttpMethod.Post, $"/admin/api/integrations/{LoadSmokeApp.OtherIntegrationId}/client-secret", new { previousSecretOverlapMinutes = 5 }, issues: "rotated client secret");
        secrets["rotated client secret"] = rotated.GetProperty("clientSecret").GetString()!;

        // The CXone access and a platform account's settings, entered as write-only fields.
        secrets["CXone app client secret"] = $"cxone-app-secret+{run}/==";
        secrets["CXone access key secret"] = $"cxone-access-key-secret/{run}+=";
        await AdminAsync(http, HttpMethod.Put, $"/admin/api/integrations/{LoadSmokeApp.OtherIntegrationId}/cxone-access",
            new { appClientId = $"cxone-app-{run}", appClientSecret = secrets["CXone app client secret"], accessKeyId = $"cxone-access-key-{run}", accessKeySecret = secrets["CXone access key secret"] });
        secrets["platform token"] = $"jb-token+{run}/=";
        secrets["platform webhook secret"] = $"jb-webhook-secret/{run}+";
        secrets["platform token, changed"] = $"jb-token-changed+{run}==";
        var account = $"secrets-{run}"[..24];
        var created = await AdminAsync(http, HttpMethod.Post, "/admin/api/points-of-contact", new
        {
            integrationId = ByocApp.IntegrationId, connector = "junglebook", accountId = account, name = "Secrets test desk", icon = "forum",
            settings = new Dictionary<string, string> { ["token"] = secrets["platform token"], ["webhookSecret"] = secrets["platform webhook secret"] },
        });
        var channelId = created.GetProperty("channelId").GetString()!;
        try
        {
            await AdminAsync(http, HttpMethod.Patch, $"/admin/api/points-of-contact/{channelId}", new { settings = new Dictionary<string, string> { ["token"] = secrets["platform token, changed"] } });
            await SendAsync(http, HttpMethod.Post, $"/admin/api/points-of-contact/{channelId}/check", null, [("X-Api-Key", LoadSmokeApp.AdminApiKey)]);

            await TokenRequestsAsync(http, clientId, secrets);
            await SecretsWhereNoneBelongAsync(http, clientId, account, secrets);
        }
        finally
        {
            await SendAsync(http, HttpMethod.Delete, $"/admin/api/points-of-contact/{channelId}", null, [("X-Api-Key", LoadSmokeApp.AdminApiKey)]);
        }

        var found = new List<string>();
        foreach (var (where, body, issued) in _answers)
        {
            found.AddRange(Find(secrets.Where(s => s.Key != issued), body).Select(f => $"{f} in the answer to {where}"));
        }

        var lines = await logs.LinesAsync();
        Assert.True(lines.Any(l => l.Resource.StartsWith("edge", StringComparison.Ordinal)), "no log line of the Edge was captured");
        // The capture covers this test: the wrong admin keys it sent are logged (without the key).
        Assert.Contains(lines, l => l.Line.Contains("refused (wrong API key)", StringComparison.Ordinal));
        foreach (var (resource, line) in lines)
        {
            found.AddRange(Find(secrets, line).Select(f => $"{f} in a log line of {resource}: {Masked(line, secrets)}"));
        }

        // The traces and logs exported over OTLP: the spans of the last calls above have arrived from the Edge (which took
        // them) and the connector (which refused the webhook); Conversations (which checked the client secrets) exported
        // traces, and the Edge its log of the refusals.
        await Poll.UntilAsync(() => Task.FromResult(telemetry.Holds("edge", "traces", account) && telemetry.Holds("connector-junglebook", "traces", account)
            && telemetry.Holds("conversations", "traces", "VerifyClientCredentials") && telemetry.Holds("edge", "logs", "refused (wrong API key)")),
            TimeSpan.FromSeconds(30), "the traces and logs of the calls are exported");
        var exports = telemetry.Exports;
        foreach (var (resource, signal, text) in exports)
        {
            foreach (var secret in secrets)
            {
                found.AddRange(Find([secret], text).Select(f => $"{f} in the OTLP {signal} of {resource}: …{Around(text, secret.Value, secrets)}…"));
            }
        }

        var (keys, redisFound) = await ScanRedisAsync(secrets);
        found.AddRange(redisFound);
        var (files, fileBytes, filesFound) = await ScanRedisFilesAsync(secrets, account);
        found.AddRange(filesFound);
        output.WriteLine($"searched {_answers.Count} answers, {lines.Count} log lines of {string.Join(", ", lines.Select(l => l.Resource).Distinct().Order())}, "
            + $"{exports.Count} OTLP exports ({string.Join(", ", exports.GroupBy(e => $"{e.Resource} {e.Signal}").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}, {exports.Sum(e => e.Text.Length):N0} bytes), "
            + $"{keys} Redis keys and {files} Redis files ({fileBytes:N0} bytes: an uncompressed RDB dump and the AOF) for {secrets.Count} secrets");
        Assert.True(keys > 0, "Redis has no key: the scan read nothing");
        Assert.True(found.Count == 0, $"secrets found ({found.Count}):\n" + string.Join("\n", found.Distinct().Take(60)));
    }

    private async Task TokenRequestsAsync(HttpClient http, string clientId, Dictionary<string, string> secrets)
    {
        var current = secrets["rotated client secret"];
        var previous = secrets["generated client secret"];
        foreach (var secret in new[] { current, previous })
        {
            var (status, _) = await SendAsync(http, HttpMethod.Post, "/1.0/token", Form(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", secret)), []);
            Assert.Equal(200, status);
        }

        // Wrong: the secret with a character more or one changed, for another client, and as Basic credentials.
        await SendAsync(http, HttpMethod.Post, "/1.0/token", Form(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", current + "x")), []);
        await SendAsync(http, HttpMethod.Post, "/1.0/token", Form(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", "x" + current[1..])), []);
        await SendAsync(http, HttpMethod.Post, "/1.0/token", Form(("grant_type", "client_credentials"), ("client_id", EdgeTokens.ClientId), ("client_secret", current)), []);
        await SendAsync(http, HttpMethod.Post, "/1.0/token", Form(("grant_type", "client_credentials")),
            [("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{current}x")))]);
        await SendAsync(http, HttpMethod.Post, "/1.0/token", JsonContent.Create(new { grant_type = "client_credentials", client_id = clientId, client_secret = previous + "-" }), []);
    }

    // Each secret where a client that got it wrong could put it: the id, the grant, the query string, a bearer, a header.
    private async Task SecretsWhereNoneBelongAsync(HttpClient http, string clientId, string account, Dictionary<string, string> secrets)
    {
        var current = secrets["rotated client secret"];
        var key = LoadSmokeApp.AdminApiKey;
        // The secret typed into the client id field (id and secret swapped): an unknown client id is logged only by a fingerprint.
        await SendAsync(http, HttpMethod.Post, "/1.0/token", Form(("grant_type", "client_credentials"), ("client_id", current), ("client_secret", clientId)), []);
        await SendAsync(http, HttpMethod.Post, "/1.0/token", Form(("grant_type", current), ("client_id", clientId), ("client_secret", current)), []);
        await SendAsync(http, HttpMethod.Post, $"/1.0/token?client_secret={Uri.EscapeDataString(current)}", Form(("grant_type", "client_credentials"), ("client_id", clientId)), []);
        await SendAsync(http, HttpMethod.Post, "/1.0/token", JsonContent.Create(new { grant_type = "client_credentials", client_id = clientId, client_secret = new[] { current } }), []);
        await SendAsync(http, HttpMethod.Post, "/1.0/token", new StringContent($"{{\"grant_type\":\"client_credentials\",\"client_id\":\"{clientId}\",\"client_secret\":\"{current}", Encoding.UTF8, "application/json"), []);
        foreach (var (name, secret) in secrets)
        {
            var body = new StringContent($$$$"""{"thread":{"idOnExternalPlatform":"{{{{secret}}}}"},"messageContent":{"type":"TEXT","payload":{"text":"x"}}}""", Encoding.UTF8, "application/json");
            await SendAsync(http, HttpMethod.Post, $"/2.0/channel/{ByocApp.MonkeyKingdom}/outbound", body, [("Authorization", $"Bearer {secret}")]);
            // In the query string, not the path: a refused callback's path is logged (as any request path may be).
            await SendAsync(http, HttpMethod.Post, $"/1.0/posts/post-1/messages?token={Uri.EscapeDataString(secret)}", new StringContent("{}", Encoding.UTF8, "application/json"), [("Authorization", $"Bearer {secret}")]);
            await SendAsync(http, HttpMethod.Get, $"/admin/api/points-of-contact?apiKey={Uri.EscapeDataString(secret)}", null, [("X-Api-Key", secret == key ? key + "-wrong" : secret)]);
            await SendAsync(http, HttpMethod.Get, $"/settings?userId=1&brandId=2&token={Uri.EscapeDataString(secret)}", null, []);
        }

        // A webhook for the new account signed with a signature that is its secret itself, not the HMAC.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await SendAsync(http, HttpMethod.Post, $"/hooks/junglebook/{account}", new StringContent("""{"type":"message"}""", Encoding.UTF8, "application/json"),
            [("X-Junglebook-Timestamp", now), ("X-Junglebook-Signature", $"sha256={secrets["platform webhook secret"]}")]);
        await SendAsync(http, HttpMethod.Post, $"/hooks/junglebook/{account}", new StringContent("""{"type":"message"}""", Encoding.UTF8, "application/json"),
            [("X-Junglebook-Timestamp", now), ("X-Junglebook-Signature", $"sha256={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("wrong"), Encoding.UTF8.GetBytes(now + ".{}")))}"),
             ("Authorization", $"Bearer {secrets["platform token, changed"]}")]);
    }

    private async Task<JsonElement> AdminAsync(HttpClient http, HttpMethod method, string path, object? body, string? issues = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", LoadSmokeApp.AdminApiKey);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        var json = JsonDocument.Parse(text).RootElement.Clone();
        // The answer that issues a secret shows it (once): it is searched for every other secret.
        _answers.Add(($"{method} {path}", text + Headers(response), issues));
        return json;
    }

    private async Task<(int Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? content, (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{method} {path.Split('?')[0]} answered {(int)response.StatusCode}");
        _answers.Add(($"{method} {path.Split('?')[0]} ({(int)response.StatusCode})", body + Headers(response), null));
        return ((int)response.StatusCode, body);
    }

    private static string Headers(HttpResponseMessage response) =>
        "\n" + string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));

    // The line with every form of every secret replaced by its name: where it leaked, without the secret.
    private static string Masked(string line, Dictionary<string, string> secrets)
    {
        foreach (var (name, secret) in secrets)
        {
            foreach (var (_, needle) in Forms(secret))
            {
                line = line.Replace(needle, $"[the {name}]", StringComparison.Ordinal);
            }
        }

        return line.Length > 400 ? line[..400] + "…" : line;
    }

    // Where in a (binary) export the secret sits: the printable text before and after it, masked.
    private static string Around(string text, string secret, Dictionary<string, string> secrets)
    {
        var at = Forms(secret).Select(f => text.IndexOf(f.Needle, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(0).Min();
        var start = Math.Max(0, at - 120);
        var window = text.Substring(start, Math.Min(text.Length - start, 240));
        return Masked(new string([.. window.Select(c => c is >= ' ' and <= '~' ? c : '·')]), secrets);
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));

    /// <summary>Which secrets <paramref name="text"/> holds, and in which form; never the secret itself.</summary>
    private static IEnumerable<string> Find(IEnumerable<KeyValuePair<string, string>> secrets, string text)
    {
        foreach (var (name, secret) in secrets)
        {
            foreach (var (form, needle) in Forms(secret))
            {
                if (text.Contains(needle, StringComparison.Ordinal))
                {
                    yield return $"the {name} ({form})";
                    break;
                }
            }
        }
    }

    // In clear, URL- and form-encoded, and in base64 and base64url at each of the three alignments it can have inside a
    // longer encoded value (the characters that depend on what comes before or after are left out).
    private static IEnumerable<(string Form, string Needle)> Forms(string secret)
    {
        yield return ("in clear", secret);
        yield return ("URL-encoded", Uri.EscapeDataString(secret));
        yield return ("form-encoded", WebUtility.UrlEncode(secret));
        var bytes = Encoding.UTF8.GetBytes(secret);
        for (var shift = 0; shift < 3; shift++)
        {
            var encoded = Convert.ToBase64String([.. new byte[shift], .. bytes]);
            var core = encoded[(shift == 0 ? 0 : 4)..^4];
            if (core.Length >= 12)
            {
                yield return ("base64", core);
                yield return ("base64url", core.Replace('+', '-').Replace('/', '_'));
            }
        }
    }

    /// <summary>Every key of every type; values read as bytes (Latin-1 keeps each byte, and every needle is ASCII).</summary>
    private async Task<(int Keys, List<string> Found)> ScanRedisAsync(Dictionary<string, string> secrets)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(app.App.RedisConnectionString + ",allowAdmin=true");
        var db = redis.GetDatabase();
        var found = new List<string>();
        var keys = 0;
        foreach (var endpoint in redis.GetEndPoints())
        {
            await foreach (var key in redis.GetServer(endpoint).KeysAsync(pattern: "*", pageSize: 1000))
            {
                keys++;
                string?[] values = await db.KeyTypeAsync(key) switch
                {
                    RedisType.String => [Latin1(await db.StringGetAsync(key))],
                    RedisType.Hash => (await db.HashGetAllAsync(key)).SelectMany(e => new[] { Latin1(e.Name), Latin1(e.Value) }).ToArray(),
                    RedisType.List => (await db.ListRangeAsync(key)).Select(Latin1).ToArray(),
                    RedisType.Set => (await db.SetMembersAsync(key)).Select(Latin1).ToArray(),
                    RedisType.SortedSet => (await db.SortedSetRangeByRankAsync(key)).Select(Latin1).ToArray(),
                    RedisType.Stream => (await db.StreamRangeAsync(key)).SelectMany(e => e.Values.SelectMany(v => new[] { Latin1(v.Name), Latin1(v.Value) })).ToArray(),
                    _ => [],
                };
                var where = Describe(key!);
                found.AddRange(Find(secrets, key!).Select(f => $"{f} in the name of Redis key {where}"));
                foreach (var value in values.Where(v => v is not null))
                {
                    found.AddRange(Find(secrets, value!).Select(f => $"{f} in Redis key {where}"));
                }
            }
        }

        return (keys, found);
    }

    /// <summary>
    /// What Redis keeps on disk: a fresh RDB dump written without compression (LZF would hide a string from a byte
    /// search) and every file of the append-only log, which holds each write since its last rewrite, arguments and
    /// all, so a secret written and later overwritten or deleted is there too. Controls: the dump holds the security
    /// tests' integration name and the AOF the account this test created and deleted, in clear.
    /// </summary>
    private async Task<(int Files, long Bytes, List<string> Found)> ScanRedisFilesAsync(Dictionary<string, string> secrets, string account)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(app.App.RedisConnectionString + ",allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        async Task<string> Config(string name) => (await server.ConfigGetAsync(name)).Single().Value;
        var dir = await Config("dir");
        var compression = await Config("rdbcompression");
        await server.ConfigSetAsync("rdbcompression", "no");
        try
        {
            // SAVE, not BGSAVE: the data set is small, and the dump is complete when the call returns.
            await server.ExecuteAsync("SAVE");
        }
        finally
        {
            await server.ConfigSetAsync("rdbcompression", compression);
        }

        var dump = Path.Combine(dir, await Config("dbfilename"));
        var aof = Directory.GetFiles(Path.Combine(dir, await Config("appenddirname")));
        var found = new List<string>();
        var dumpText = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(dump));
        var aofText = new StringBuilder();
        foreach (var file in aof)
        {
            aofText.Append(Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
        }

        Assert.Contains("Security tests", dumpText, StringComparison.Ordinal);
        Assert.Contains(account, aofText.ToString(), StringComparison.Ordinal);
        found.AddRange(Find(secrets, dumpText).Select(f => $"{f} in the RDB dump"));
        found.AddRange(Find(secrets, aofText.ToString()).Select(f => $"{f} in the append-only log"));
        return (1 + aof.Length, dumpText.Length + aofText.Length, found);
    }

    private async Task<IAsyncDisposable> AofRewritesOffAsync()
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(app.App.RedisConnectionString + ",allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var percentage = (await server.ConfigGetAsync("auto-aof-rewrite-percentage")).Single().Value;
        await server.ConfigSetAsync("auto-aof-rewrite-percentage", "0");
        return new Restore(async () =>
        {
            await server.ConfigSetAsync("auto-aof-rewrite-percentage", percentage);
            await redis.DisposeAsync();
        });
    }

    private sealed class Restore(Func<Task> restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restore();
    }

    private static string? Latin1(RedisValue value) => value.IsNull ? null : Encoding.Latin1.GetString((byte[])value!);

    // Key names may hold ids, never a secret: cut at 100 characters and shown as they are.
    private static string Describe(string key) => key.Length > 100 ? key[..100] + "…" : key;
}
