using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Byoc.ServiceDefaults;

/// <summary>The activity source and meter every Byoc service records its own spans and metrics on.</summary>
public static class ByocTelemetry
{
    public const string ActivitySourceName = "Byoc";
    public const string MeterName = "Byoc";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
