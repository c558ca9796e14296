using System.Net;
using System.Net.Http.Headers;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests.Admin;

/// <summary>The points-of-contact and credentials pages render (server prerendering) for the signed-in user's tenants only.</summary>
public sealed class PointsOfContactPagesTests(EdgeHost host) : AdminApiTest(host)
{
    private static async Task<string> PageAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task The_list_shows_only_the_users_tenants_points_of_contact()
    {
        using var admin = AdminOfA();

        var page = await PageAsync(admin, "/admin/points-of-contact");

        Assert.Contains($"Desk {TestData.ChannelA}", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"Desk {TestData.ChannelB}", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/points-of-contact/new\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_gets_no_link_to_create_and_no_change_form()
    {
        using var viewer = ViewerOfA();

        var list = await PageAsync(viewer, "/admin/points-of-contact");
        var edit = await PageAsync(viewer, $"/admin/points-of-contact/{TestData.ChannelA}");

        Assert.DoesNotContain("/admin/points-of-contact/new", list, StringComparison.Ordinal);
        Assert.DoesNotContain("poc-edit-form", edit, StringComparison.Ordinal);
        Assert.Contains("poc-check", edit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_edit_page_shows_the_webhook_url_and_the_settings_by_name_only()
    {
        using var admin = AdminOfA();

        var page = await PageAsync(admin, $"/admin/points-of-contact/{TestData.ChannelA}");

        Assert.Contains($"http://localhost/hooks/junglebook/account-of-{TestData.ChannelA}", page, StringComparison.Ordinal);
        Assert.Contains("type=\"password\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_tenants_point_of_contact_is_not_found()
    {
        using var admin = AdminOfA();

        var page = await PageAsync(admin, $"/admin/points-of-contact/{TestData.ChannelB}");

        Assert.Contains("poc-not-found", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"Desk {TestData.ChannelB}", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_credentials_page_shows_the_byoc_form_values_of_the_users_integrations()
    {
        using var admin = AdminOfA();

        var page = await PageAsync(admin, "/admin/credentials");

        Assert.Contains("http://localhost/1.0/token", page, StringComparison.Ordinal);
        Assert.Contains($"integration-{TestData.IntegrationA}", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"integration-{TestData.IntegrationB}", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_new_page_needs_the_admin_role()
    {
        using var viewer = ViewerOfA();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/points-of-contact/new");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await viewer.SendAsync(request);

        Assert.DoesNotContain("poc-new-form", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
