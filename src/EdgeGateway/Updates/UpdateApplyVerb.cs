using System.CommandLine;
using EdgeGateway.Cli;
using EdgeGateway.Contracts.Updates;
using Microsoft.Extensions.Configuration;

namespace EdgeGateway.Updates;

/// <summary>
/// <c>update apply --offer FILE [--package FILE] [--root DIR] [--trusted-key FILE]</c>: verifies a signed package
/// and installs it side by side; a running supervisor then starts it on trial.
/// </summary>
internal sealed class UpdateApplyVerb : CliVerb
{
    /// <summary>EX_DATAERR from sysexits.h: the package or its offer was refused.</summary>
    public const int Refused = 65;

    public override string Path => "update apply";

    public override string? GroupDescription => "Over-the-air updates: signed packages installed side by side, rolled back unless healthy";

    public override string Description =>
        "Verify a signed update package (SHA-256 and the fleet's signature) and install it beside the running release; exit 0 installed, 65 refused";

    public override bool AcceptsSettings => true;

    public override void Define(Command command)
    {
        command.Options.Add(new Option<string>("--offer") { Description = "The signed offer (JSON: version, packageUrl, sha256, size, signature, keyId)", HelpName = "FILE", Required = true });
        command.Options.Add(new Option<string>("--package") { Description = "The package file (default: the offer's packageUrl)", HelpName = "FILE" });
        command.Options.Add(new Option<string>("--root") { Description = "The install root (default Updates:InstallRoot)", HelpName = "DIR" });
        command.Options.Add(new Option<string>("--trusted-key") { Description = "The fleet signing key's public key, PEM (default Updates:TrustedKeyFile)", HelpName = "FILE" });
    }

    public override async Task<int> RunAsync(CliCall call, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine([.. call.Settings]).Build();
        var options = new UpdateOptions();
        configuration.GetSection(UpdateOptions.SectionName).Bind(options);
        var root = call.Parse.GetValue<string>("--root") is { Length: > 0 } r ? r : options.InstallRoot;
        var keyFile = call.Parse.GetValue<string>("--trusted-key") is { Length: > 0 } k ? k : options.TrustedKeyFile;
        try
        {
            if (string.IsNullOrEmpty(root))
            {
                throw new UpdateRefusedException("no install root: give --root or Updates:InstallRoot.");
            }

            UpdateOffer offer;
            try
            {
                offer = UpdateOffer.Parse(await File.ReadAllTextAsync(call.Parse.GetValue<string>("--offer")!, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException)
            {
                throw new UpdateRefusedException($"the offer cannot be read: {e.Message}");
            }

            var package = call.Parse.GetValue<string>("--package") is { Length: > 0 } p ? p : offer.PackageUrl;
            using var key = UpdateInstaller.LoadTrustedKey(keyFile);
            var state = UpdateInstaller.Install(new InstallLayout(root), offer, package, key, TimeProvider.System);
            await call.Output.WriteLineAsync(state.Pending is { } pending
                ? $"update {pending.Version} installed in slot {pending.Slot} beside {pending.PreviousVersion}; the supervisor starts it on trial"
                : $"{state.Version} installed in slot {state.Slot} and current").ConfigureAwait(false);
            return CliExit.Ok;
        }
        catch (UpdateRefusedException e)
        {
            await call.Error.WriteLineAsync($"EdgeGateway update: refused: {e.Message}").ConfigureAwait(false);
            return Refused;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await call.Error.WriteLineAsync($"EdgeGateway update: cannot install: {e.Message}").ConfigureAwait(false);
            return CliExit.Software;
        }
    }
}
