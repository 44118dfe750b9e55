using EdgeGateway.Devices.Tetra;
using EdgeGateway.Uplink.Tetra;

namespace EdgeGateway.Tests.Uplink.Tetra;

/// <summary>A terminal whose every send FleetControl reports "consumed" (after <see cref="Hold"/>, when set).</summary>
internal sealed class ReportingSds : ITetraSds
{
    private readonly List<(string Destination, byte Pid, byte[] Payload)> _sends = [];

    public TaskCompletionSource? Hold { get; init; }

    public bool IsAvailable { get; set; } = true;

    public IReadOnlyList<(string Destination, byte Pid, byte[] Payload)> Sends
    {
        get
        {
            lock (_sends)
            {
                return [.. _sends];
            }
        }
    }

    public async Task<SdsSendResult> SendAsync(string destination, byte protocolId, ReadOnlyMemory<byte> payload, bool requestReport, bool urgent, CancellationToken cancellationToken)
    {
        lock (_sends)
        {
            _sends.Add((destination, protocolId, payload.ToArray()));
        }

        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        return new SdsSendResult(SdsSendOutcome.Delivered, 1, TetraBearer.ConsumedStatus, "report 0x02");
    }
}
