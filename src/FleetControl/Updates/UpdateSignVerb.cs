using System.CommandLine;
using System.Security.Cryptography;
using EdgeGateway.Cli;
using EdgeGateway.Contracts.Updates;

namespace FleetControl.Updates;

/// <summary>
/// <c>update sign --key KEY.pem --package FILE --version V [--url URL] [--out FILE]</c>: signs a release package with
/// the fleet signing key (ECDSA P-256, PEM; created with <c>--create-key</c>) and writes the offer that
/// <c>install-update</c> sends to devices. Devices trust the public key (<c>--public-key-out</c>) as <c>Updates:TrustedKeyFile</c>.
/// </summary>
internal sealed class UpdateSignVerb : CliVerb
{
    public override string Path => "update sign";

    public override string GroupDescription => "Over-the-air updates for the gateways";

    public override string Description => "Sign a gateway release package with the fleet signing key and write its offer (for the install-update command)";

    public override void Define(Command command)
    {
        command.Options.Add(new Option<string>("--key") { Description = "The fleet signing key (ECDSA P-256 private key, PEM)", HelpName = "FILE", Required = true });
        command.Options.Add(new Option<bool>("--create-key") { Description = "Create the key file first if it does not exist (owner-only)" });
        command.Options.Add(new Option<string>("--public-key-out") { Description = "Also write the public key (PEM) for the devices' Updates:TrustedKeyFile", HelpName = "FILE" });
        command.Options.Add(new Option<string>("--package") { Description = "The release package (zip with manifest.json)", HelpName = "FILE", Required = true });
        command.Options.Add(new Option<string>("--version") { Description = "The version the package installs (must match its manifest)", HelpName = "VERSION", Required = true });
        command.Options.Add(new Option<string>("--url") { Description = "Where devices download it (default: the package path)", HelpName = "URL" });
        command.Options.Add(new Option<string>("--out") { Description = "Write the offer here (default: standard output)", HelpName = "FILE" });
    }

    public override async Task<int> RunAsync(CliCall call, CancellationToken cancellationToken)
    {
        var keyFile = call.Parse.GetValue<string>("--key")!;
        var package = call.Parse.GetValue<string>("--package")!;
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            if (!File.Exists(keyFile) && call.Parse.GetValue<bool>("--create-key"))
            {
                await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem(), cancellationToken).ConfigureAwait(false);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }
            else
            {
                key.ImportFromPem(await File.ReadAllTextAsync(keyFile, cancellationToken).ConfigureAwait(false));
            }

            if (call.Parse.GetValue<string>("--public-key-out") is { Length: > 0 } publicOut)
            {
                await File.WriteAllTextAsync(publicOut, key.ExportSubjectPublicKeyInfoPem(), cancellationToken).ConfigureAwait(false);
            }

            var url = call.Parse.GetValue<string>("--url") is { Length: > 0 } given ? given : System.IO.Path.GetFullPath(package);
            var offer = UpdateSignature.Sign(key, package, call.Parse.GetValue<string>("--version")!, url).ToJson();
            if (call.Parse.GetValue<string>("--out") is { Length: > 0 } output)
            {
                await File.WriteAllTextAsync(output, offer, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await call.Output.WriteLineAsync(offer).ConfigureAwait(false);
            }

            return CliExit.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            await call.Error.WriteLineAsync($"FleetControl update sign: {e.Message}").ConfigureAwait(false);
            return CliExit.Failure;
        }
    }
}
