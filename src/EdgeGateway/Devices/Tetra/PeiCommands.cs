using EdgeGateway.Contracts.Tetra;

namespace EdgeGateway.Devices.Tetra;

/// <summary>
/// The PEI commands the adapter sends (ETSI EN 300 392-5). <c>AT+CTSP=&lt;service profile&gt;,&lt;service
/// layer 1&gt;,&lt;service layer 2&gt;</c>: profile 1 routes to the TE (this gateway); layer 1 = 3 is SDS type 4
/// by protocol identifier, layer 1 = 2 with 20 is status. <c>AT+CTSDS=12,0,0,0,0</c> selects SDS type 4
/// (AI service 12), individual addressing, no area selection, normal priority, no end-to-end encryption.
/// </summary>
internal static class PeiCommands
{
    /// <summary>Selects SDS type 4 for the next <c>AT+CMGS</c>.</summary>
    public const string SelectSdsType4 = "AT+CTSDS=12,0,0,0,0";

    /// <summary>Sent once per connection after <c>AT</c> answers; a refused one is logged and skipped.</summary>
    public static readonly IReadOnlyList<string> Initialisation =
    [
        "AT+CMEE=1",                          // numeric +CME ERROR codes
        $"AT+CTSP=1,3,{SdsTl.TextMessagingPid}", // text messaging with SDS-TL (0x82)
        $"AT+CTSP=1,3,{SdsTl.LocationPid}",      // LIP (0x0A)
        "AT+CTSP=1,2,20",                     // status
        $"AT+CTSP=1,3,{SdsEnvelope.Pid}",        // envelopes and their SDS-TL reports (0xC8)
        SelectSdsType4,
        "AT+CREG=1",                          // registration changes as +CREG URCs
    ];
}
