using Aspire.Hosting;

namespace Byoc.AppHost.Orchestration;

/// <summary>Start order from <c>WaitFor</c>: levels of resources whose dependencies are all in earlier levels.</summary>
internal static class StartOrder
{
    /// <exception cref="AppHostStartException">The waits form a cycle, or name a resource outside the model.</exception>
    public static IReadOnlyList<IReadOnlyList<Resource>> Levels(IReadOnlyList<Resource> resources)
    {
        foreach (var resource in resources)
        {
            foreach (var dependency in resource.WaitsFor.Concat(resource.References))
            {
                if (!resources.Contains(dependency))
                {
                    throw new AppHostStartException($"Resource '{resource.Name}' refers to '{dependency.Name}', which is not in the app model.");
                }
            }
        }

        var levels = new List<IReadOnlyList<Resource>>();
        var placed = new HashSet<Resource>();
        while (placed.Count < resources.Count)
        {
            var level = resources.Where(r => !placed.Contains(r) && r.WaitsFor.All(placed.Contains)).ToList();
            if (level.Count == 0)
            {
                var stuck = resources.Where(r => !placed.Contains(r)).Select(r => r.Name);
                throw new AppHostStartException($"The app model's WaitFor declarations form a cycle among: {string.Join(", ", stuck)}.");
            }

            levels.Add(level);
            placed.UnionWith(level);
        }

        return levels;
    }
}
