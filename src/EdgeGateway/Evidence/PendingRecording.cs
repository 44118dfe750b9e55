using EdgeGateway.Devices.Bwv;

namespace EdgeGateway.Evidence;

/// <summary>A docked recording waiting for (or in) offload.</summary>
internal sealed record PendingRecording(DockedRecording Recording, string EvidenceId, bool Critical)
{
    public int Bay => Recording.Bay;
}
