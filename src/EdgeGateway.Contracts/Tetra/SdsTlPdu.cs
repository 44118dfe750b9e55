namespace EdgeGateway.Contracts.Tetra;

/// <summary>
/// One decoded SDS-TL PDU (ETSI EN 300 392-2 clause 29.4.2). For a transfer, <see cref="UserData"/> is what
/// follows the header; for a report, <see cref="DeliveryStatus"/> says how it went.
/// </summary>
/// <param name="ProtocolId">The protocol identifier (0x82 text messaging, 0xC0-0xFE user applications...).</param>
/// <param name="Type">Transfer, report or ack.</param>
/// <param name="MessageReference">The sender's reference; a report carries the reference of the transfer it reports on.</param>
/// <param name="ReportRequest">Transfer: 0 none, 1 received, 2 consumed, 3 both (2 bits).</param>
/// <param name="DeliveryStatus">Report: the delivery status (clause 29.4.3.2).</param>
/// <param name="UserData">Transfer: the bytes after the header.</param>
public sealed record SdsTlPdu(byte ProtocolId, SdsTlMessageType Type, byte MessageReference, byte ReportRequest, byte DeliveryStatus, ReadOnlyMemory<byte> UserData)
{
    /// <summary>Delivery status 0x00-0x1F: received or consumed (success).</summary>
    public static bool IsSuccess(byte deliveryStatus) => deliveryStatus < 0x20;

    /// <summary>Delivery status 0x20-0x3F: a temporary error (congestion, stored by the SwMI); worth retrying.</summary>
    public static bool IsTemporaryError(byte deliveryStatus) => deliveryStatus is >= 0x20 and < 0x40;
}
