namespace EdgeGateway.Devices.Tetra;

/// <summary>
/// Sends SDS type 4 through the TETRA terminal, paced to the air interface. Urgent sends go before queued
/// ordinary ones. Never throws for a radio problem: the result says what happened.
/// </summary>
internal interface ITetraSds
{
    /// <summary>Whether a terminal is connected, initialised and registered to the network now.</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// Sends <paramref name="payload"/> to <paramref name="destination"/> (ISSI) with protocol identifier
    /// <paramref name="protocolId"/>. For an SDS-TL protocol (0x80 and up) the SDS-TL header with a fresh
    /// message reference is added and a delivery report requested when <paramref name="requestReport"/>;
    /// the task then completes on the matching report (or its timeout). Without SDS-TL the payload goes as is.
    /// </summary>
    Task<SdsSendResult> SendAsync(string destination, byte protocolId, ReadOnlyMemory<byte> payload, bool requestReport, bool urgent, CancellationToken cancellationToken);
}
