using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

public interface IDistributedApplicationBuilder
{
    IConfigurationManager Configuration { get; }

    IHostEnvironment Environment { get; }

    IReadOnlyList<Resource> Resources { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : Resource;

    DistributedApplication Build();
}

internal sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly DistributedApplicationTestingBuilder.Hook? _testingHook;

    public DistributedApplicationBuilder(string[] args, DistributedApplicationTestingBuilder.Hook? testingHook)
    {
        _testingHook = testingHook;
        var configuration = new ConfigurationManager();
        configuration.AddEnvironmentVariables("DOTNET_");
        configuration.AddCommandLine(args);
        var environmentName = configuration[HostDefaults.EnvironmentKey] ?? Environments.Production;
        var contentRoot = AppContext.BaseDirectory;

        configuration.SetBasePath(contentRoot);
        configuration.AddJsonFile("appsettings.json", optional: true);
        configuration.AddJsonFile($"appsettings.{environmentName}.json", optional: true);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);

        Configuration = configuration;
        Environment = new AppHostEnvironment
        {
            EnvironmentName = environmentName,
            ApplicationName = "Byoc.AppHost",
            ContentRootPath = contentRoot,
            ContentRootFileProvider = new NullFileProvider(),
        };
    }

    public IConfigurationManager Configuration { get; }

    public IHostEnvironment Environment { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (_resources.Exists(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"The app model already has a resource named '{resource.Name}'.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public DistributedApplication Build()
    {
        var app = new DistributedApplication(_resources, Configuration, Environment, isUnderTest: _testingHook is not null);
        _testingHook?.Built.TrySetResult(app);
        return app;
    }

    private sealed class AppHostEnvironment : IHostEnvironment
    {
        public required string EnvironmentName { get; set; }
        public required string ApplicationName { get; set; }
        public required string ContentRootPath { get; set; }
        public required IFileProvider ContentRootFileProvider { get; set; }
    }
}
