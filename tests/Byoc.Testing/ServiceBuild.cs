using System.Reflection;

namespace Byoc.Testing;

/// <summary>Where the build of a Byoc service is: built with the same configuration as the tests (Byoc.Testing references each).</summary>
public sealed record ServiceBuild(string ProjectDirectory, string AssemblyPath)
{
    private static readonly Assembly Self = typeof(ServiceBuild).Assembly;

    public static ServiceBuild Conversations { get; } = Of("Byoc.Conversations");

    public static ServiceBuild Sandbox { get; } = Of("Byoc.Sandbox");

    /// <summary>The AppHost's own build (built by the test projects that reference it).</summary>
    public static ServiceBuild AppHost { get; } = Of("Byoc.AppHost");

    public static string RepoRoot => Self.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public string Name => Path.GetFileNameWithoutExtension(AssemblyPath);

    private static ServiceBuild Of(string relativeProjectDirectory)
    {
        var configuration = Self.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        // This library's own output folder ends in the same bin/{configuration}/{tfm} as every project's.
        var tfm = Path.GetFileName(Path.GetDirectoryName(Self.Location))!;
        var directory = Path.Combine(RepoRoot, relativeProjectDirectory);
        var name = Path.GetFileName(relativeProjectDirectory);
        return new ServiceBuild(directory, Path.Combine(directory, "bin", configuration, tfm, name + ".dll"));
    }
}
