using System.Net;
using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Auth;

/// <summary>
/// Safe default: FleetControl serves loopback only unless its endpoints use TLS. REST and gRPC are TLS unless the
/// development override <c>Identity:DevelopmentPlaintext</c> is on; binding them to any other address in cleartext
/// would put sign-ins, tokens and evidence on the network unprotected, so that is refused at start-up (exit 78) with
/// a message naming the settings.
/// </summary>
internal sealed class BindSafety(IConfiguration configuration) : IValidateOptions<FleetControlOptions>
{
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

        if (!configuration.GetValue<bool>("Identity:DevelopmentPlaintext"))
        {
            return null; // REST and gRPC serve TLS (Identity/RestTls, mutual TLS on gRPC)
        }

        return $"FleetControl:BindAddress is {bindAddress}, which other machines can reach, but TLS is not configured: "
            + "the development override Identity:DevelopmentPlaintext serves REST and gRPC in cleartext; turn it off, or bind to 127.0.0.1.";
    }
}
