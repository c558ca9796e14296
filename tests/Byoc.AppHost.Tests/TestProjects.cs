namespace Byoc.AppHost.Tests;

/// <summary>A project as the app model sees it, without a build: a folder with an optional appsettings.json.</summary>
internal sealed class TestProject : IProjectMetadata, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byoc-project-").FullName;

    public TestProject(string name, string? appsettings = null)
    {
        ProjectPath = Path.Combine(_folder, $"{name}.csproj");
        TargetPath = Path.Combine(_folder, "bin", $"{name}.dll");
        if (appsettings is not null)
        {
            File.WriteAllText(Path.Combine(_folder, "appsettings.json"), appsettings);
        }
    }

    public string ProjectPath { get; }

    public string TargetPath { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

/// <summary>Ports 41000, 41001, ... in order, so plans are predictable.</summary>
internal sealed class SequentialPorts(int first = 41000) : Byoc.AppHost.Orchestration.IPortAllocator
{
    private int _next = first;

    public int Allocate() => _next++;
}
