namespace Byoc.Edge.Admin;

/// <summary>The admin UI's and admin API's two roles, as authorization policies.</summary>
public static class AdminPolicies
{
    /// <summary>Pages and reads: <see cref="AdminRoles.Viewer"/> or <see cref="AdminRoles.Admin"/>.</summary>
    public const string Read = "byoc-admin-read";

    /// <summary>Every change: <see cref="AdminRoles.Admin"/> only.</summary>
    public const string Change = "byoc-admin-change";
}

/// <summary>The app roles (Entra ID app roles, or mapped from CXone users by configuration).</summary>
public static class AdminRoles
{
    public const string Admin = "Byoc.Admin";
    public const string Viewer = "Byoc.Viewer";
}
