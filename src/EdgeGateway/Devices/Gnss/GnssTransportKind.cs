namespace EdgeGateway.Devices.Gnss;

/// <summary>How the receiver is connected.</summary>
public enum GnssTransportKind
{
    /// <summary>Serial port (<c>Gnss:Serial</c>).</summary>
    Serial,

    /// <summary>TCP stream (<c>Gnss:Tcp</c>).</summary>
    Tcp,
}
