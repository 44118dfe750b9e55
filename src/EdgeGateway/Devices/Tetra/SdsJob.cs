namespace EdgeGateway.Devices.Tetra;

/// <summary>One SDS waiting to be sent, and the task its sender awaits.</summary>
internal sealed class SdsJob(string destination, byte[] pdu, byte reference, bool awaitsReport)
{
    public string Destination { get; } = destination;

    /// <summary>The user data as sent: protocol identifier first.</summary>
    public byte[] Pdu { get; } = pdu;

    public byte Reference { get; } = reference;

    public bool AwaitsReport { get; } = awaitsReport;

    /// <summary>Stops the report timeout once the report came.</summary>
    public ITimer? ReportTimer { get; set; }

    public TaskCompletionSource<SdsSendResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Complete(SdsSendOutcome outcome, int deliveryStatus, string detail)
    {
        ReportTimer?.Dispose();
        return Result.TrySetResult(new SdsSendResult(outcome, Reference, deliveryStatus, detail));
    }
}
