using Microsoft.Extensions.Configuration;

namespace Byoc.AppHost.Orchestration;

/// <summary>The AppHost's own settings, section <c>AppHost</c> (e.g. <c>AppHost__DataPath</c>).</summary>
internal sealed class AppHostOptions
{
    /// <summary>Where Redis keeps its data between runs; default: the user's local app data, folder Byoc.</summary>
    public string? DataPath { get; set; }

    /// <summary>Where the status page listens; empty turns it off. Port 0 picks a free port.</summary>
    public string? StatusUrl { get; set; }

    /// <summary>Ignore fixed ports of the app model and pick free ones (tests, several checkouts at once).</summary>
    public bool RandomizePorts { get; set; }

    /// <summary>How long a resource may take to stop after SIGTERM before it is killed.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public static AppHostOptions Bind(IConfiguration configuration)
    {
        var options = configuration.GetSection("AppHost").Get<AppHostOptions>() ?? new AppHostOptions();
        if (!string.IsNullOrWhiteSpace(options.StatusUrl) && !Uri.TryCreate(options.StatusUrl, UriKind.Absolute, out _))
        {
            throw new AppHostStartException($"AppHost:StatusUrl '{options.StatusUrl}' is not an absolute URL.");
        }

        if (options.StopTimeout <= TimeSpan.Zero)
        {
            throw new AppHostStartException("AppHost:StopTimeout must be positive.");
        }

        return options;
    }

    public string ResolveDataPath()
    {
        if (!string.IsNullOrWhiteSpace(DataPath))
        {
            return Path.GetFullPath(DataPath);
        }

        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(local)
            ? Path.Combine(Path.GetTempPath(), $"byoc-{Environment.UserName}")
            : Path.Combine(local, "Byoc");
    }
}

/// <summary>The app cannot start as configured; the message says what to do, in one sentence.</summary>
public sealed class AppHostStartException(string message) : Exception(message);
