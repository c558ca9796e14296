namespace Byoc.Edge.Admin.Components.Pages.PointsOfContact;

/// <summary>A platform account setting typed in a page: the name in clear, the value write-only (a password field).</summary>
public sealed class SettingRow
{
    public string? Key { get; set; } = "";

    public string? Value { get; set; } = "";

    public static Dictionary<string, string> ToSettings(IEnumerable<SettingRow> rows) =>
        rows.Where(r => (r.Key ?? "").Trim().Length > 0 && (r.Value ?? "").Length > 0)
            .GroupBy(r => r.Key!.Trim(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value!, StringComparer.Ordinal);
}
