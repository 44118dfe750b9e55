using System.Net.Http.Json;
using System.Text.Json;
using FleetControl.Hosting;
using FleetControl.Ingest;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleetControl.Tests.Infrastructure;

/// <summary>A real FleetControl (Kestrel on free ports, real broker, LiteDB in a temp directory) in this process.</summary>
internal sealed class FleetControlInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FleetControlInstance(WebApplication app, CollectingLoggerProvider logs, IReadOnlyDictionary<string, string> tokens)
    {
        _app = app;
        Logs = logs;
        Tokens = tokens;
        var endpoints = app.Services.GetRequiredService<FleetEndpoints>();
        RestUri = endpoints.RestUri;
        GrpcUri = endpoints.GrpcUri;
        TrustedRoot = RestUri.Scheme == Uri.UriSchemeHttps ? app.Services.GetRequiredService<global::FleetControl.Identity.CertificateAuthority>().Root : null;
        Http = BearerHttpClient.Create(RestUri, tokens[global::FleetControl.Auth.Roles.Administrator], trustedRoot: TrustedRoot);
    }

    /// <summary>An API token per role (see <see cref="TestAccounts"/>).</summary>
    public IReadOnlyDictionary<string, string> Tokens { get; }

    public Uri RestUri { get; }

    /// <summary>Warnings and errors the host logged.</summary>
    public CollectingLoggerProvider Logs { get; }

    public Uri GrpcUri { get; }

    /// <summary>A client signed in as the test administrator.</summary>
    public HttpClient Http { get; }

    /// <summary>A new client signed in with <paramref name="role"/>'s token, or anonymous when null.</summary>
    public HttpClient ClientFor(string? role) => BearerHttpClient.Create(RestUri, role is null ? null : Tokens[role], trustedRoot: TrustedRoot);

    /// <summary>FleetControl's CA when REST is served over TLS (the identity tests), otherwise null.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TrustedRoot { get; }

    /// <summary>
    /// Arguments that make fleetctl (or another client) use <paramref name="role"/>'s API token: the token in a
    /// file in <paramref name="directory"/>, as an engineer would keep it.
    /// </summary>
    public string[] TokenFileArguments(string role, string directory)
    {
        var file = Path.Combine(directory, role + ".token");
        File.WriteAllText(file, Tokens[role] + "\n");
        return ["--token-file", file];
    }

    public IServiceProvider Services => _app.Services;

    public IngestStats Stats => _app.Services.GetRequiredService<IngestStats>();

    /// <summary>Starts FleetControl with the embedded broker on <paramref name="mqttPort"/> (or an external one via <paramref name="extraArgs"/>).</summary>
    public static Task<FleetControlInstance> StartAsync(string dataDirectory, int mqttPort, params string[] extraArgs) =>
        StartAsync(dataDirectory, mqttPort, waitForIngest: true, extraArgs);

    /// <summary>Starts FleetControl; with <paramref name="waitForIngest"/> false it returns without waiting for the broker.</summary>
    public static async Task<FleetControlInstance> StartAsync(string dataDirectory, int mqttPort, bool waitForIngest, params string[] extraArgs)
    {
        string[] args =
        [
            $"--FleetControl:DataDirectory={dataDirectory}",
            "--FleetControl:HttpPort=0",
            "--FleetControl:GrpcPort=0",
            $"--Mqtt:Port={mqttPort}",
            "--Mqtt:ReconnectDelay=00:00:00.200",
            "--Logging:LogLevel:Default=Warning",

            // The named development override, for the tests whose subject is not transport security; the
            // identity tests pass --Identity:DevelopmentPlaintext=false (later arguments win).
            "--Identity:DevelopmentPlaintext=true",
            .. extraArgs,
        ];
        var tokens = await TestAccounts.ProvisionAsync(dataDirectory, args);
        var builder = FleetControlHost.CreateBuilder(args);
        var logs = new CollectingLoggerProvider();
        builder.Logging.AddProvider(logs);
        var app = builder.Build();
        FleetControlHost.Map(app);
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout);
            if (waitForIngest)
            {
                await app.Services.GetRequiredService<MqttIngestClient>().Subscribed.WaitAsync(Eventually.DefaultTimeout);
            }
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new FleetControlInstance(app, logs, tokens);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path, TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode}. Host log:\n{string.Join("\n", Logs.Entries)}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    public async Task<JsonElement?> FindDeviceAsync(string deviceId)
    {
        var devices = await GetJsonAsync("/api/devices");
        foreach (var device in devices.EnumerateArray())
        {
            if (device.GetProperty("deviceId").GetString() == deviceId)
            {
                return device;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await _app.StopAsync(CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
