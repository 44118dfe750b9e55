using System.Text.Json;
using EdgeGateway.Commands;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Uplink.Mqtt;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Tests.Commands;

/// <summary>The command channel the MQTT session hands commands to, in the real host's container (not started).</summary>
public sealed class MqttCommandChannelTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly List<(string Topic, CommandResult Result)> _published = [];

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IHost BuildHost(string role = "Vehicle") =>
        GatewayHost.CreateBuilder(["--Gateway:DeviceId=car-1", $"--Gateway:Role={role}", $"--Gateway:DataDirectory={_data.Path}", "--Security:DevelopmentPlaintext=true"]).Build();

    private Task PublishAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        _published.Add((topic, CommandResult.Parser.ParseFrom(payload)));
        return Task.CompletedTask;
    }

    private static Command Ping(string id, string device = "car-1") => new()
    {
        CommandId = id,
        DeviceId = device,
        ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
        Ping = new PingCommand { Payload = "p" },
    };

    [Fact]
    public async Task Command_AnsweredAcceptedThenSucceeded_OnItsResultTopic_AndARedeliveryDoesNotRunItAgain()
    {
        using var host = BuildHost();
        var channel = host.Services.GetServices<IMqttDownlink>().OfType<MqttCommandChannel>().Single();
        Assert.Equal(Topics.CommandsFilter("car-1"), channel.TopicFilter);
        var topic = Topics.Command("car-1", "c-1");
        Assert.True(channel.Matches(topic));
        Assert.False(channel.Matches(Topics.Command("car-2", "c-1")));
        Assert.False(channel.Matches(topic + "/extra"));

        await channel.HandleAsync(topic, Ping("c-1").ToByteArray(), PublishAsync, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        await channel.HandleAsync(topic, Ping("c-1").ToByteArray(), PublishAsync, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.All(_published, p => Assert.Equal(Topics.CommandResult("car-1", "c-1"), p.Topic));
        Assert.Equal(
            [CommandOutcome.Accepted, CommandOutcome.Succeeded, CommandOutcome.Accepted, CommandOutcome.Succeeded],
            _published.Select(p => p.Result.Outcome));
        // The second answer is the recorded one, not a second run.
        Assert.Equal(_published[1].Result.At, _published[3].Result.At);
    }

    [Fact]
    public async Task UnreadableOrMisaddressedCommand_AnsweredFailed_NeverRun()
    {
        using var host = BuildHost();
        var channel = host.Services.GetServices<IMqttDownlink>().OfType<MqttCommandChannel>().Single();

        await channel.HandleAsync(Topics.Command("car-1", "bad-1"), new byte[] { 0xFF, 0xFF, 0xFF }, PublishAsync, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        await channel.HandleAsync(Topics.Command("car-1", "c-2"), Ping("c-2", device: "car-9").ToByteArray(), PublishAsync, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        await channel.HandleAsync(Topics.Command("car-1", "c-3"), Ping("other-id").ToByteArray(), PublishAsync, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.Equal(3, _published.Count);
        Assert.All(_published, p => Assert.Equal(CommandOutcome.Failed, p.Result.Outcome));
        Assert.StartsWith("unreadable command", _published[0].Result.Reason, StringComparison.Ordinal);
        Assert.Equal(Topics.CommandResult("car-1", "bad-1"), _published[0].Topic);
        Assert.Contains("does not match its topic", _published[1].Result.Reason, StringComparison.Ordinal);
        Assert.Equal(Topics.CommandResult("car-1", "c-3"), _published[2].Topic);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, CompletedCommandLog.FolderName)) &&
                     Directory.EnumerateFiles(Path.Combine(_data.Path, CompletedCommandLog.FolderName)).Any(), "nothing ran, nothing was recorded");
    }

    [Fact]
    public async Task CollectDiagnostics_ZipsHealthRedactedConfigurationAndRecentLogs_AndUploadsIt()
    {
        var uploads = new CapturingUploader();
        var builder = GatewayHost.CreateBuilder(["--Gateway:DeviceId=car-1", $"--Gateway:DataDirectory={_data.Path}", "--Mqtt:Password=s3cret", "--Security:DevelopmentPlaintext=true"]);
        builder.Services.AddSingleton<IDiagnosticsUploader>(uploads);
        using var host = builder.Build();
        host.Services.GetRequiredService<ILogger<MqttCommandChannelTests>>().LogInformation("a line to find in the bundle");
        await File.WriteAllTextAsync(Path.Combine(_data.Path, "health.json"), """{"linkState":"Connected"}""", Ct);
        var dispatcher = host.Services.GetRequiredService<CommandDispatcher>();
        var command = new Command { CommandId = "d-1", DeviceId = "car-1", CollectDiagnostics = new CollectDiagnosticsCommand { MaxLogLines = 10 } };

        var result = await dispatcher.HandleAsync(command, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        var (header, bytes) = Assert.Single(uploads.Bundles);
        Assert.Equal(("car-1", "d-1", "zip", (ulong)bytes.Length), (header.DeviceId, header.CommandId, header.Format, header.Size));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), header.Sha256);
        Assert.Equal(header.Sha256, result.Details["sha256"]);
        Assert.Equal("d-1", result.Details["bundleId"]);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes));
        string Text(string name) => new StreamReader(zip.GetEntry(name)!.Open()).ReadToEnd();
        using var health = JsonDocument.Parse(Text("health.json"));
        Assert.Equal("Connected", health.RootElement.GetProperty("linkState").GetString());
        var configuration = Text("configuration.json");
        using var settings = JsonDocument.Parse(configuration);
        Assert.Equal("(redacted)", settings.RootElement.GetProperty("Mqtt:Password").GetString());
        Assert.DoesNotContain("s3cret", configuration, StringComparison.Ordinal);
        Assert.Contains("a line to find in the bundle", Text("logs.txt"), StringComparison.Ordinal);
    }

    /// <summary>Keeps what the handler would send to FleetControl.</summary>
    private sealed class CapturingUploader : IDiagnosticsUploader
    {
        public List<(DiagnosticsBundleHeader Header, byte[] Bytes)> Bundles { get; } = [];

        public Task<DiagnosticsReceipt> UploadAsync(DiagnosticsBundleHeader header, ReadOnlyMemory<byte> bundle, CancellationToken cancellationToken)
        {
            Bundles.Add((header, bundle.ToArray()));
            return Task.FromResult(new DiagnosticsReceipt { BundleId = header.CommandId, Sha256 = header.Sha256, Size = header.Size });
        }
    }

    [Fact]
    public async Task RescanBays_OnlyOnADock_AnswersWhatTheBaysHold()
    {
        Directory.CreateDirectory(Path.Combine(_data.Path, "bays", "bay-01"));
        await File.WriteAllTextAsync(Path.Combine(_data.Path, "bays", "bay-01", "camera.json"), """{"serial":"BWV1","batteryPercent":80}""", Ct);
        using var dock = GatewayHost.CreateBuilder(["--Gateway:DeviceId=dock-1", "--Gateway:Role=Dock", $"--Gateway:DataDirectory={_data.Path}",
            "--Dock:BaysRoot=" + Path.Combine(_data.Path, "bays"), "--Dock:Bays=2", "--Evidence:StagingDirectory=" + Path.Combine(_data.Path, "staging"),
            $"--Mqtt:Port={FreePort.Next()}", "--Security:DevelopmentPlaintext=true"]).Build();
        await dock.StartAsync(Ct);
        try
        {
            var rescan = new Command { CommandId = "r-1", DeviceId = "dock-1", RescanBays = new RescanBaysCommand() };
            var result = await dock.Services.GetRequiredService<CommandDispatcher>().HandleAsync(rescan, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
            Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
            Assert.Equal("1", result.Details["docked"]);
        }
        finally
        {
            await dock.StopAsync(Ct);
        }

        using var vehicle = BuildHost();
        var onVehicle = await vehicle.Services.GetRequiredService<CommandDispatcher>()
            .HandleAsync(new Command { CommandId = "r-2", DeviceId = "car-1", RescanBays = new RescanBaysCommand() }, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        Assert.Equal(CommandOutcome.Failed, onVehicle.Outcome);
    }
}
