using EdgeGateway.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Security;

/// <summary>With TLS on, FleetControl's gRPC URL must be https: a gateway never sends its token or data in cleartext by mistake.</summary>
internal sealed class SecurityOptionsValidator(IOptions<GatewayOptions> gateway) : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var url = gateway.Value.FleetControlUrl;
        return !options.DevelopmentPlaintext && url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Fail(
                $"Gateway:FleetControlUrl '{url}' is cleartext but TLS is on: use https:// (or, for development only, Security:DevelopmentPlaintext=true).")
            : ValidateOptionsResult.Success;
    }
}
