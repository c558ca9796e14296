using Byoc.Conversations.Inbound;
using Byoc.Conversations.V1;
using Byoc.ServiceDefaults;
using Grpc.Core;

namespace Byoc.Conversations.Grpc;

/// <summary>Connector → Conversations: platform messages and receipts.</summary>
public sealed class InboundService(Ingestion ingestion) : V1.Inbound.InboundBase
{
    public override async Task<ReportSenderActionResponse> ReportSenderAction(ReportSenderActionRequest request, ServerCallContext context)
    {
        context.RequireConnector(request.Connector);
        await ingestion.ReportSenderActionAsync(request, context.CancellationToken);
        return new ReportSenderActionResponse();
    }

    public override Task<IngestResponse> Ingest(IngestRequest request, ServerCallContext context)
    {
        // A connector ingests only as itself: its key must not let it speak for another platform's customers.
        context.RequireConnector(request.Connector);
        return ingestion.IngestAsync(request);
    }

    public override async Task<ReportReceiptResponse> ReportReceipt(ReportReceiptRequest request, ServerCallContext context)
    {
        context.RequireConnector(request.Connector);
        await ingestion.ReportReceiptAsync(request);
        return new ReportReceiptResponse();
    }
}
