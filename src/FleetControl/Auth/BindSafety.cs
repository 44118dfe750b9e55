using System.Net;
using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Auth;

/// <summary>
/// Safe default: FleetControl serves loopback only unless TLS is configured. Binding REST and gRPC to any
/// other address in cleartext would put sign-ins, tokens and evidence on the network unprotected, so it is
/// refused at start-up (exit 78) with a message naming the settings.
/// </summary>
internal sealed class BindSafety(IConfiguration configuration) : IValidateOptions<FleetControlOptions>
{
    /// <summary>Settings that count as "TLS is configured" (a certificate for Kestrel).</summary>
    public static readonly string[] TlsSettings = ["FleetControl:Tls:CertificatePath", "Kestrel:Certificates:Default:Path"];

    public ValidateOptionsResult Validate(string? name, FleetControlOptions options) =>
        Check(options.BindAddress, configuration) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    /// <summary>
    /// Null when <paramref name="bindAddress"/> is loopback or TLS is configured; otherwise why start-up is refused.
    /// The one place that decides, so the TLS configuration can change without touching callers.
    /// </summary>
    public static string? Check(string bindAddress, IConfiguration configuration)
    {
        if (!IPAddress.TryParse(bindAddress, out var address) || IPAddress.IsLoopback(address))
        {
            return null; // a malformed address is reported by FleetControlOptions itself
        }

        if (TlsSettings.Any(setting => !string.IsNullOrWhiteSpace(configuration[setting])))
        {
            return null;
        }

        return $"FleetControl:BindAddress is {bindAddress}, which other machines can reach, but TLS is not configured: "
            + $"set {string.Join(" or ", TlsSettings)} to a certificate, or bind to 127.0.0.1.";
    }
}
