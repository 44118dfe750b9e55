using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Commands;

/// <summary>Where a diagnostics bundle goes: FleetControl's gRPC <c>Diagnostics</c> service (<see cref="GrpcDiagnosticsUploader"/>).</summary>
internal interface IDiagnosticsUploader
{
    /// <summary>Uploads <paramref name="bundle"/> described by <paramref name="header"/>; the receipt once FleetControl stored it.</summary>
    Task<DiagnosticsReceipt> UploadAsync(DiagnosticsBundleHeader header, ReadOnlyMemory<byte> bundle, CancellationToken cancellationToken);
}
