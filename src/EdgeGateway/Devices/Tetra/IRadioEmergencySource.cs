namespace EdgeGateway.Devices.Tetra;

/// <summary>
/// Raised once per emergency press the radio reports, after its Emergency envelope is stored. Other
/// features (e.g. in-car video's "radio emergency" trigger) subscribe here instead of parsing the radio.
/// Handlers run on the radio's reading loop: keep them short; an exception is logged and ignored.
/// </summary>
internal interface IRadioEmergencySource
{
    /// <summary>An emergency press.</summary>
    event Action<RadioEmergency>? EmergencyRaised;
}
