namespace EdgeGateway.Contracts.Tetra;

/// <summary>SDS-TL PDU types (ETSI EN 300 392-2 clause 29.4.3.8, 4 bits after the protocol identifier).</summary>
public enum SdsTlMessageType : byte
{
    /// <summary>SDS-TRANSFER: user data, optionally asking for a report.</summary>
    Transfer = 0,

    /// <summary>SDS-REPORT: the delivery status of a transfer, by its message reference.</summary>
    Report = 1,

    /// <summary>SDS-ACK: acknowledges a report that asked for one.</summary>
    Ack = 2,
}
