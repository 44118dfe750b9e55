using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Devices.Tetra;

namespace EdgeGateway.Uplink.Tetra;

/// <summary>
/// Sends one envelope as SDS to FleetControl's TETRA gateway: one plain envelope SDS, or the segments of its compact
/// form (<see cref="SdsCompactEnvelope"/>) one after another, each asking for a report. The first segment that is not
/// delivered ends the send with its result (the receiver drops the partial envelope after its timeout and the outbox
/// copy is sent again, whole); otherwise the result is the last segment's, whose "consumed" report FleetControl sends
/// only once the whole envelope is stored (an earlier segment may already say so when the receiver kept the others
/// from an earlier attempt: the send ends there).
/// </summary>
internal static class EnvelopeSds
{
    /// <summary>Sends <paramref name="userData"/> (from <see cref="SdsCompactEnvelope.TryEncodeForSds"/>) in order.</summary>
    public static async Task<SdsSendResult> SendAsync(ITetraSds sds, string dispatcher, IReadOnlyList<byte[]> userData, bool urgent, CancellationToken cancellationToken)
    {
        var result = new SdsSendResult(SdsSendOutcome.TooLarge, 0, -1, "nothing to send");
        for (var i = 0; i < userData.Count; i++)
        {
            result = await sds.SendAsync(dispatcher, SdsEnvelope.Pid, userData[i], requestReport: true, urgent, cancellationToken).ConfigureAwait(false);
            if (i < userData.Count - 1 && result.Outcome != SdsSendOutcome.Delivered)
            {
                return result with { Detail = $"segment {i + 1} of {userData.Count}: {result.Detail}" };
            }

            if (result.DeliveryStatus == TetraBearer.ConsumedStatus)
            {
                return result; // the receiver held the rest from an earlier attempt: the whole envelope is stored
            }
        }

        return result;
    }
}
