using System.Net;
using System.Net.Sockets;
using FleetControl.Evidence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleetControl.Tests.Evidence;

/// <summary>The real FleetControl evidence vault in a small Kestrel host (HTTP/2 cleartext, loopback).</summary>
internal sealed class VaultHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private VaultHost(WebApplication app, int port, string directory)
    {
        _app = app;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<VaultHost> StartAsync(string vaultDirectory, int port = 0, long checkpointBytes = 4 * 1024 * 1024, Action<IServiceCollection>? configure = null)
    {
        port = port == 0 ? FreePort() : port;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new EdgeGateway.Testing.TestOutputLoggerProvider()); // printed when the test fails
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Configuration["Evidence:VaultDirectory"] = vaultDirectory;
        builder.Configuration["Evidence:CheckpointBytes"] = checkpointBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Configuration["Identity:DevelopmentPlaintext"] = "true"; // the named development override: the vault alone, cleartext
        FleetControl.Identity.IdentityRegistration.AddFleetIdentity(builder.Services);
        builder.Services.AddEvidenceVault(builder.Configuration);
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapEvidenceVault();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new VaultHost(app, port, vaultDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}
