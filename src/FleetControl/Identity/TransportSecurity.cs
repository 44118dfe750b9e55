namespace FleetControl.Identity;

/// <summary>
/// Whether FleetControl's links are protected by TLS. Other parts (engineer authentication, the bind
/// rule) ask this service instead of reading <see cref="IdentityOptions"/> themselves.
/// </summary>
internal sealed class TransportSecurity(Microsoft.Extensions.Options.IOptions<IdentityOptions> options)
{
    /// <summary>True unless the development override <c>Identity:DevelopmentPlaintext</c> is set.</summary>
    public bool IsTlsEnabled => !options.Value.DevelopmentPlaintext;

    /// <summary>How the start-up summary names a link: "mTLS" or the override, loudly.</summary>
    public string LinkLabel => IsTlsEnabled ? "mTLS" : "PLAINTEXT (development override Identity:DevelopmentPlaintext)";
}
