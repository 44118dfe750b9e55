using System.Globalization;
using System.Net.Http.Json;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeGateway.Contracts.Updates;
using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// Over-the-air updates with real processes: the supervisor runs the installed release (a launcher for this
/// build's gateway), <c>update apply</c> installs signed packages beside it; a good one commits once connected,
/// one that crashes at start or never gets healthy is rolled back and the previous version runs again and
/// reports it; a tampered package is refused.
/// </summary>
public sealed class UpdateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Supervisor_GoodThenCrashingThenUnhealthyUpdate_CommitsThenRollsBackTwiceKeepingTheOutbox()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var system = await SystemUnderTest.StartAsync();
        using var directory = new TempDirectory();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var trustedKey = Path.Combine(directory.Path, "fleet-signing.pub.pem");
        await File.WriteAllTextAsync(trustedKey, key.ExportSubjectPublicKeyInfoPem(), ct);
        var signingKey = Path.Combine(directory.Path, "fleet-signing.pem");
        await File.WriteAllTextAsync(signingKey, key.ExportPkcs8PrivateKeyPem(), ct);
        var root = directory.Sub("install");
        var gatewayDirectory = directory.Sub("gateway");
        var environment = new Dictionary<string, string>
        {
            ["Gateway__DeviceId"] = "car-ota",
            ["Gateway__DataDirectory"] = Path.Combine(gatewayDirectory, "data"),
            ["Gateway__FleetControlUrl"] = system.Fleet.GrpcUrl,
            ["Mqtt__Host"] = "127.0.0.1",
            ["Mqtt__Port"] = system.Fleet.BrokerPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt__ReconnectMin"] = "00:00:00.200",
            ["Mqtt__ReconnectMax"] = "00:00:02",
            ["Health__FileInterval"] = "00:00:01",
            ["Updates__HealthDeadline"] = "00:00:20",
            ["Updates__TrustedKeyFile"] = trustedKey,
        };
        foreach (var (name, value) in await system.Fleet.EnrolGatewayAsync("car-ota", gatewayDirectory, ct))
        {
            environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        Assert.Equal(0, await ApplyAsync(directory, root, trustedKey, Package(directory, key, "1.0.0", Launcher())));
        await using var supervisor = ManagedProcess.Start("supervisor", SystemUnderTest.Outputs.Gateway, ["supervise", "--root", root], environment, Path.Combine(directory.Path, "supervisor.log"));
        try
        {
            await supervisor.WaitForOutputAsync(l => l.Contains("supervisor: starting 1.0.0 (slot A)", StringComparison.Ordinal), Patience, ct);
            var outbox = Path.Combine(gatewayDirectory, "data", "outbox.db");

            // A good update, the way FleetControl offers it: signed with 'FleetControl update sign', sent as the
            // install-update command; the gateway downloads, verifies and installs it, the supervisor starts it on
            // trial, it is healthy and commits.
            var good = Package(directory, key, "1.1.0", Launcher());
            var offer = Path.Combine(directory.Path, "1.1.0.signed-offer.json");
            await using (var sign = ManagedProcess.Start("update sign", SystemUnderTest.Outputs.FleetControl,
                ["update", "sign", "--key", signingKey, "--package", good.Package, "--version", "1.1.0", "--out", offer], null, Path.Combine(directory.Path, "sign.log")))
            {
                await sign.WaitForExitAsync(ct).WaitAsync(Patience, ct);
                Assert.True(sign.ExitCode == 0, sign.RecentOutput());
            }

            await Eventually.UntilAsync(
                async () =>
                {
                    using var response = await system.Fleet.Http.GetAsync("/api/devices/car-ota", ct);
                    return response.IsSuccessStatusCode
                        && JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("online").GetBoolean();
                },
                "car-ota (1.0.0) is online",
                Patience);
            using var sent = await system.Fleet.Http.PostAsJsonAsync(
                "/api/devices/car-ota/commands", new { type = "install-update", offer = await File.ReadAllTextAsync(offer, ct) }, ct);
            Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync(ct));
            await supervisor.WaitForOutputAsync(l => l.Contains("supervisor: 1.1.0 committed", StringComparison.Ordinal), Patience, ct);
            Assert.Equal(("1.1.0", "B"), Current(root));
            await WaitForEventAsync(system, "update.committed", "1.1.0", ct);

            // Crashes at start: rolled back to 1.1.0, which runs again and reports the failure.
            Assert.Equal(0, await ApplyAsync(directory, root, trustedKey, Package(directory, key, "1.2.0", "#!/bin/sh\necho 'bad build: crashing at start' >&2\nexit 3\n")));
            var crashed = await supervisor.WaitForOutputAsync(l => l.Contains("supervisor: update 1.2.0 rolled back", StringComparison.Ordinal), Patience, ct);
            Assert.Contains("to 1.1.0 (slot B): exited with code 3 before confirming its health", crashed, StringComparison.Ordinal);
            Assert.Equal(("1.1.0", "B"), Current(root));
            var reported = await WaitForEventAsync(system, "update.rolled-back", "1.2.0", ct);
            Assert.Contains("exited with code 3", reported, StringComparison.Ordinal);

            // Starts but never reaches FleetControl: stopped at the deadline, rolled back, reported.
            var unusedPort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
            Assert.Equal(0, await ApplyAsync(directory, root, trustedKey, Package(directory, key, "1.3.0", Launcher($"export Mqtt__Port={unusedPort}\n"))));
            var unhealthy = await supervisor.WaitForOutputAsync(l => l.Contains("supervisor: update 1.3.0 rolled back", StringComparison.Ordinal), Patience, ct);
            Assert.Contains("to 1.1.0 (slot B): not healthy within 00:00:20", unhealthy, StringComparison.Ordinal);
            await WaitForEventAsync(system, "update.rolled-back", "1.3.0", ct);
            Assert.Equal(("1.1.0", "B"), Current(root));
            Assert.True(File.Exists(outbox), "the outbox stays where it was, outside the install root");
            Assert.False(supervisor.HasExited);
        }
        finally
        {
            // SIGTERM: the supervisor stops its gateway cleanly before it exits (SIGKILL would orphan the gateway).
            await supervisor.StopAsync(TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task UpdateApply_TamperedPackage_RefusedWithAClearMessageAndNothingInstalled()
    {
        var ct = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var trustedKey = Path.Combine(directory.Path, "fleet-signing.pub.pem");
        await File.WriteAllTextAsync(trustedKey, key.ExportSubjectPublicKeyInfoPem(), ct);
        var root = directory.Sub("install");
        Assert.Equal(0, await ApplyAsync(directory, root, trustedKey, Package(directory, key, "1.0.0", Launcher())));

        // Bytes changed after signing.
        var tampered = Package(directory, key, "1.1.0", Launcher());
        await using (var file = new FileStream(tampered.Package, FileMode.Append))
        {
            file.WriteByte(0x42);
        }

        var (code, error) = await ApplyWithOutputAsync(directory, root, trustedKey, tampered);
        Assert.Equal(65, code);
        Assert.Contains("refused: update 1.1.0: the package's SHA-256", error, StringComparison.Ordinal);
        Assert.Contains("damaged or tampered with, refused, nothing installed", error, StringComparison.Ordinal);

        // The digest in the offer changed to match the changed bytes: the signature no longer holds.
        var rehashed = Path.Combine(directory.Path, "rehashed.offer.json");
        var offer = UpdateOffer.Parse(await File.ReadAllTextAsync(tampered.Offer, ct));
        await File.WriteAllTextAsync(rehashed, (offer with { Sha256 = Sha256(tampered.Package), Size = new FileInfo(tampered.Package).Length }).ToJson(), ct);
        (code, error) = await ApplyWithOutputAsync(directory, root, trustedKey, (rehashed, tampered.Package));
        Assert.Equal(65, code);
        Assert.Contains("the signature does not verify with the fleet signing key", error, StringComparison.Ordinal);

        // Signed by another key.
        (code, error) = await ApplyWithOutputAsync(directory, root, trustedKey, Package(directory, stranger, "1.1.0", Launcher()));
        Assert.Equal(65, code);
        Assert.Contains("not by the fleet signing key", error, StringComparison.Ordinal);

        Assert.Equal(("1.0.0", "A"), Current(root));
        Assert.False(Directory.Exists(Path.Combine(root, "releases", "B")), "nothing installed");
        Assert.Null(JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "update-state.json"), ct)).RootElement.GetProperty("pending").GetString());
    }

    // The built EdgeGateway.dll through dotnet, or a published native binary (EDGEGATEWAY_TEST_GATEWAY_BINARY) as it is.
    private static string Launcher(string extra = "") =>
        SystemUnderTest.Outputs.Gateway.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? $"#!/bin/sh\n{extra}exec dotnet \"{SystemUnderTest.Outputs.Gateway}\" \"$@\"\n"
            : $"#!/bin/sh\n{extra}exec \"{SystemUnderTest.Outputs.Gateway}\" \"$@\"\n";

    private static (string Offer, string Package) Package(TempDirectory directory, ECDsa key, string version, string launcher)
    {
        var content = directory.Sub("content-" + version + "-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(Path.Combine(content, "manifest.json"), JsonSerializer.Serialize(new { version, entry = "edgegateway.sh" }));
        File.WriteAllText(Path.Combine(content, "edgegateway.sh"), launcher);
        var package = content + ".zip";
        ZipFile.CreateFromDirectory(content, package);
        var offer = content + ".offer.json";
        File.WriteAllText(offer, UpdateSignature.Sign(key, package, version, package).ToJson());
        return (offer, package);
    }

    private static async Task<int> ApplyAsync(TempDirectory directory, string root, string trustedKey, (string Offer, string Package) update)
    {
        var (code, output) = await ApplyWithOutputAsync(directory, root, trustedKey, update);
        Assert.True(code == 0, $"update apply exited {code}:\n{output}");
        return code;
    }

    private static async Task<(int Code, string Error)> ApplyWithOutputAsync(TempDirectory directory, string root, string trustedKey, (string Offer, string Package) update)
    {
        var lines = new List<string>();
        await using var apply = ManagedProcess.Start(
            "update apply", SystemUnderTest.Outputs.Gateway,
            ["update", "apply", "--offer", update.Offer, "--package", update.Package, "--root", root, "--trusted-key", trustedKey],
            null, Path.Combine(directory.Path, "apply.log"));
        apply.OutputLine += line => { lock (lines) { lines.Add(line); } };
        await apply.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);
        lock (lines)
        {
            return (apply.ExitCode, string.Join("\n", lines) + "\n" + apply.RecentOutput());
        }
    }

    private static (string Version, string Slot) Current(string root)
    {
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "update-state.json"))).RootElement;
        var link = new FileInfo(Path.Combine(root, "current")).LinkTarget;
        Assert.Equal(Path.Combine("releases", state.GetProperty("slot").GetString()!), link);
        return (state.GetProperty("version").GetString()!, state.GetProperty("slot").GetString()!);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static Task<string> WaitForEventAsync(SystemUnderTest system, string type, string version, CancellationToken ct) =>
        Eventually.WaitAsync(
            async token =>
            {
                var device = await system.Fleet.GetJsonAsync("/api/devices/car-ota", token);
                return device.GetProperty("events").EnumerateArray()
                    .Where(e => e.GetProperty("type").GetString() == type && e.GetProperty("attributes").GetProperty("version").GetString() == version)
                    .Select(e => e.GetProperty("detail").GetString()!).FirstOrDefault() ?? string.Empty;
            },
            detail => detail.Length > 0,
            Patience,
            $"FleetControl shows {type} for {version}");
}
