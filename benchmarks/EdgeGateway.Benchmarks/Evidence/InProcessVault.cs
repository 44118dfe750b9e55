using System.Net;
using FleetControl.Evidence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Benchmarks.Evidence;

/// <summary>FleetControl's evidence vault (gRPC, HTTP/2 on loopback) in the harness process, for the evidence harnesses.</summary>
internal static class InProcessVault
{
    /// <summary>Starts the vault on <paramref name="port"/> storing into <paramref name="vaultDirectory"/>; dispose to stop it.</summary>
    public static async Task<WebApplication> StartAsync(string vaultDirectory, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["Evidence:VaultDirectory"] = vaultDirectory;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Configuration["Identity:DevelopmentPlaintext"] = "true"; // the named development override: the vault alone, cleartext
        FleetControl.Identity.IdentityRegistration.AddFleetIdentity(builder.Services);
        builder.Services.AddEvidenceVault(builder.Configuration);
        var vault = builder.Build();
        vault.MapEvidenceVault();
        await vault.StartAsync();
        return vault;
    }
}
