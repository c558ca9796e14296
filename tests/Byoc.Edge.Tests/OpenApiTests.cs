using System.Net;
using System.Text.Json;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests;

public sealed class OpenApiTests(EdgeHost host) : EdgeTest(host)
{
    public static TheoryData<string, string> Operations => new()
    {
        { "/1.0/token", "IssueToken" },
        { TestData.ExtraTokenPath, "IssueTokenAt1" },
        { "/1.0/posts/{postId}/messages", "ReplyToPost" },
        { "/2.0/channel/{channelId}/outbound", "SendOutbound" },
        { "/1.0/channel/{channelId}/recipients/validation", "ValidateRecipients" },
        { "/1.0/channel/{channelId}/thread/{threadId}/sender-action", "SendSenderAction" },
        { "/admin/api/integrations/{integrationId}/client-secret", "RotateClientSecret" },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_operation_is_named_and_summarised_in_the_openapi_document(string path, string operationId)
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty("post");

        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
    }

    [Theory]
    [InlineData("/2.0/channel/{channelId}/outbound", "200", "thread")]
    [InlineData("/1.0/posts/{postId}/messages", "200", "idOnExternalPlatform")]
    [InlineData("/1.0/channel/{channelId}/recipients/validation", "400", "errorCode")]
    [InlineData("/1.0/token", "200", "access_token")]
    public async Task Operations_carry_the_contracts_request_and_response_examples(string path, string status, string responseKey)
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty("post");

        var requestExample = operation.GetProperty("requestBody").GetProperty("content").EnumerateObject().First().Value.GetProperty("example");
        var responseExample = operation.GetProperty("responses").GetProperty(status).GetProperty("content").EnumerateObject().First().Value.GetProperty("example");
        Assert.Equal(JsonValueKind.Object, requestExample.ValueKind);
        Assert.True(responseExample.TryGetProperty(responseKey, out _));
    }

    [Theory]
    [InlineData("/2.0/channel/{channelId}/outbound", "Bearer")]
    [InlineData("/1.0/posts/{postId}/messages", "Bearer")]
    [InlineData("/admin/api/integrations/{integrationId}/client-secret", "AdminApiKey")]
    public async Task Protected_operations_declare_their_security_scheme(string path, string scheme)
    {
        var document = await DocumentAsync();

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty("post");
        Assert.True(operation.GetProperty("security")[0].TryGetProperty(scheme, out _));
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty(scheme, out _));
    }

    [Fact]
    public async Task Scalar_serves_the_api_reference()
    {
        using var response = await Client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonOf(response);
    }
}
