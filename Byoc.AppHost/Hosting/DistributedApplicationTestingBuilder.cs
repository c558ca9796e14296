using System.Reflection;

namespace Aspire.Hosting;

/// <summary>
/// Starts an AppHost's own app model in a test, the role <c>Aspire.Hosting.Testing</c> plays: the AppHost's entry
/// point runs as written, and the application it builds is handed to the test instead of being run.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    internal static Hook? Current { get; private set; }

    /// <summary>Runs <typeparamref name="TEntryPoint"/>'s assembly entry point with <paramref name="args"/> added, and returns the app it builds, not yet started.</summary>
    public static async Task<DistributedApplication> BuildAsync<TEntryPoint>(string[] args, CancellationToken cancellationToken = default)
    {
        var entryPoint = typeof(TEntryPoint).Assembly.EntryPoint
            ?? throw new InvalidOperationException($"{typeof(TEntryPoint).Assembly.GetName().Name} has no entry point.");

        await OneAtATime.WaitAsync(cancellationToken);
        try
        {
            var hook = new Hook(args);
            Current = hook;
            var thread = new Thread(() => RunEntryPoint(entryPoint, hook)) { IsBackground = true, Name = "AppHost entry point" };
            thread.Start();
            return await hook.Built.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        finally
        {
            Current = null;
            OneAtATime.Release();
        }
    }

    private static void RunEntryPoint(MethodInfo entryPoint, Hook hook)
    {
        try
        {
            entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            hook.Built.TrySetException(new InvalidOperationException("The AppHost's entry point returned without building an application."));
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            hook.Built.TrySetException(e.InnerException);
        }
    }

    internal sealed class Hook(string[] args)
    {
        public string[] Args { get; } = args;

        public TaskCompletionSource<DistributedApplication> Built { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
