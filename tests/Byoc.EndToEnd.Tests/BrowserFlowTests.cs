using Microsoft.Playwright;

namespace Byoc.EndToEnd.Tests;

/// <summary>The seed's story as people see it: a customer page on Junglebook and the CXone agent console, in a real browser.</summary>
[Collection(ByocAppCollection.Name)]
public sealed class BrowserFlowTests(ByocApp app, Browser browser) : IClassFixture<Browser>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 60_000 };

    [Fact]
    public async Task A_customer_message_appears_in_the_agent_console_and_the_agents_reply_on_the_customers_page()
    {
        var user = $"mowgli{Guid.NewGuid():N}"[..16];
        var customer = await browser.Chromium.NewPageAsync();
        await customer.GotoAsync(new Uri(app.SandboxUrl, "/junglebook.html").ToString());
        await customer.GetByTestId("user").FillAsync(user);
        await customer.GetByTestId("text").FillAsync("Hello Monkey Kingdom, do you ship bananas?");
        await customer.GetByTestId("send").ClickAsync();
        await Assertions.Expect(customer.GetByTestId("my-message").Filter(new() { HasText = "do you ship bananas?" })).ToBeVisibleAsync(Visible);

        var agent = await browser.Chromium.NewPageAsync();
        await agent.GotoAsync(new Uri(app.SandboxUrl, "/agent.html").ToString());
        await agent.GetByTestId("channel").SelectOptionAsync(ByocApp.MonkeyKingdom);
        var conversation = agent.GetByTestId("thread").Filter(new() { HasText = "do you ship bananas?" });
        await Assertions.Expect(conversation).ToBeVisibleAsync(Visible);
        await conversation.ClickAsync();
        await Assertions.Expect(agent.GetByTestId("customer-message").Filter(new() { HasText = "do you ship bananas?" })).ToBeVisibleAsync(Visible);

        await agent.GetByTestId("reply").FillAsync("We do, every Tuesday!");
        await agent.GetByTestId("send-reply").ClickAsync();

        await Assertions.Expect(customer.GetByTestId("company-message").Filter(new() { HasText = "We do, every Tuesday!" })).ToBeVisibleAsync(Visible);
        // The customer's page read it, so Junglebook's read receipt comes back to the agent as a tick.
        await Assertions.Expect(agent.GetByTestId("agent-message").Filter(new() { HasText = "We do, every Tuesday!" }).GetByTestId("status")).ToHaveTextAsync("✓✓ seen", new() { Timeout = 60_000 });
    }

    [Fact]
    public async Task An_agent_initiated_message_to_an_unknown_recipient_is_refused_with_the_middlewares_message()
    {
        var agent = await browser.Chromium.NewPageAsync();
        await agent.GotoAsync(new Uri(app.SandboxUrl, "/agent.html").ToString());
        await agent.GetByTestId("channel").SelectOptionAsync(ByocApp.MonkeyKingdom);
        await agent.GetByTestId("recipient").FillAsync("shere-khan");
        await agent.GetByTestId("opening").FillAsync("Hello stranger");
        await agent.GetByTestId("start").ClickAsync();

        await Assertions.Expect(agent.GetByTestId("notice")).ToHaveTextAsync("Not sent: This person is not on Junglebook.", new() { Timeout = 60_000 });
    }
}
