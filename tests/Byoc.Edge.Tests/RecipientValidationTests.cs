using System.Net;
using Byoc.Edge.Tests.Infrastructure;

namespace Byoc.Edge.Tests;

public sealed class RecipientValidationTests(EdgeHost host) : EdgeTest(host)
{
    private static readonly string Path = $"/1.0/channel/{TestData.ChannelA}/recipients/validation";

    [Fact]
    public async Task Recipients_the_connector_accepts_answer_200()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path,
            """{"endUserRecipients": [ { "idOnExternalPlatform": "+15551234567", "name": "Jane Doe", "isPrimary": true, "isPrivate": false } ]}""", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(Conversations.Outbound.ValidateCalls);
        Assert.Equal((TestData.IntegrationA, TestData.ChannelA), (call.IntegrationId, call.ChannelId));
        Assert.Equal(("+15551234567", "Jane Doe", true), (call.Recipients[0].ExternalId, call.Recipients[0].Name, call.Recipients[0].IsPrimary));
    }

    [Fact]
    public async Task Recipients_the_connector_refuses_answer_400_in_cxones_shape()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, """{"endUserRecipients": [ { "idOnExternalPlatform": "jane@example.com" } ]}""", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await JsonOf(response);
        ContractShapes.AssertSameShape(ContractShapes.RecipientsInvalid, body);
        Assert.Equal("outboundValidationFailed", body.GetProperty("errorCode").GetString());
        Assert.Equal("Invalid recipient format", body.GetProperty("displayErrorMessage").GetString());
        Assert.Equal("idOnExternalPlatform", body.GetProperty("errors")[0].GetProperty("path")[0].GetString());
    }

    [Fact]
    public async Task Recipients_under_the_name_recipients_are_validated_too()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, """{"recipients": [ { "idOnExternalPlatform": "+15550000000" } ]}""", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("+15550000000", Assert.Single(Assert.Single(Conversations.Outbound.ValidateCalls).Recipients).ExternalId);
    }

    [Fact]
    public async Task A_request_without_recipients_answers_400_in_cxones_shape_without_asking_the_connector()
    {
        var token = await TokenAsync(Client);

        using var response = await PostAsync(Client, Path, """{"endUserRecipients": []}""", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        ContractShapes.AssertSameShape(ContractShapes.RecipientsInvalid, await JsonOf(response));
        Assert.Empty(Conversations.Outbound.ValidateCalls);
    }
}
