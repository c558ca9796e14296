using Byoc.Edge.Admin.Operations;
using Grpc.Core;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Byoc.Edge.Admin.Components.Pages.Operations;

/// <summary>
/// What the operations pages share: the signed-in admin, and running a call with a deadline of its own so a page
/// never waits on the circuit without end; a field error goes next to its field, anything else to the page's alert.
/// </summary>
public abstract class OperationsPage : ComponentBase
{
    /// <summary>Longer than any deadline OperationsDesk sets, so the desk's own deadline answers first.</summary>
    protected static readonly TimeSpan PageDeadline = TimeSpan.FromSeconds(40);

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    protected AdminUser? User { get; private set; }

    protected Dictionary<string, string> FieldErrors { get; } = new(StringComparer.Ordinal);

    protected string? Alert { get; set; }

    protected bool Busy { get; private set; }

    /// <summary>
    /// Controls wait for the circuit: a prerendered button is not wired yet, and a click on it would be lost without
    /// a word (the page seems to hang). Disabled until interactive, and while a call runs (no double submit).
    /// </summary>
    protected bool Disabled => Busy || !RendererInfo.IsInteractive;

    /// <summary>Fields wait for the circuit too: what is typed before it connects would not reach the page.</summary>
    protected bool NotInteractive => !RendererInfo.IsInteractive;

    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is not null)
        {
            User = AdminUser.From((await AuthenticationState).User);
        }
    }

    protected string? ErrorOf(string field) => FieldErrors.GetValueOrDefault(field);

    /// <summary>Runs <paramref name="work"/> once at a time; returns false when it failed (the error is shown).</summary>
    protected async Task<bool> RunAsync(Func<CancellationToken, Task> work)
    {
        if (Busy || User is null)
        {
            return false;
        }

        Busy = true;
        FieldErrors.Clear();
        Alert = null;
        using var deadline = new CancellationTokenSource(PageDeadline);
        try
        {
            await work(deadline.Token);
            return true;
        }
        catch (AdminQueryException e)
        {
            FieldErrors[e.Field] = e.Message;
            return false;
        }
        catch (RpcException e)
        {
            Alert = e.StatusCode switch
            {
                StatusCode.DeadlineExceeded => "Conversations did not answer in time. Try again.",
                StatusCode.Unavailable => "Conversations cannot be reached right now. Try again shortly.",
                _ => $"Conversations refused this: {e.Status.Detail}",
            };
            return false;
        }
        catch (OperationCanceledException)
        {
            Alert = "This took too long and was stopped. Try again.";
            return false;
        }
        finally
        {
            Busy = false;
        }
    }

    protected static string When(DateTimeOffset? at) => at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "—";
}
