using EdgeGateway.Commands;
using EdgeGateway.Contracts.Updates;
using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Updates;

/// <summary>
/// install-update: downloads the offered package into <c>{InstallRoot}/downloads</c>, verifies it (SHA-256, size, the
/// fleet signature with <c>Updates:TrustedKeyFile</c>) and installs it beside the running release. The supervisor sees
/// the pending update, stops this version cleanly and starts the new one on trial; the trial's outcome arrives later
/// as an <c>update.committed</c> or <c>update.rolled-back</c> event. A refusal is the command's failure reason.
/// </summary>
internal sealed class InstallUpdateHandler(IOptions<UpdateOptions> options, TimeProvider time) : ICommandHandler
{
    private static readonly TimeSpan DownloadTimeout = TimeSpan.FromMinutes(30);

    public Command.BodyOneofCase Kind => Command.BodyOneofCase.InstallUpdate;

    public async Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        var root = Environment.GetEnvironmentVariable(UpdateConfirmation.RootVariable) is { Length: > 0 } fromSupervisor ? fromSupervisor : options.Value.InstallRoot;
        if (string.IsNullOrEmpty(root))
        {
            return CommandHandlerResult.Failure("this gateway does not run under the update supervisor (no Updates:InstallRoot): nothing installed");
        }

        try
        {
            var offer = UpdateOffer.Parse(command.InstallUpdate.OfferJson);
            using var key = UpdateInstaller.LoadTrustedKey(options.Value.TrustedKeyFile);
            var layout = new InstallLayout(root);
            var package = await DownloadAsync(layout, offer, cancellationToken).ConfigureAwait(false);
            try
            {
                var state = UpdateInstaller.Install(layout, offer, package, key, time);
                return CommandHandlerResult.Success(new Dictionary<string, string>
                {
                    ["version"] = offer.Version,
                    ["slot"] = state.Pending?.Slot ?? state.Slot,
                    ["next"] = "the supervisor starts it on trial; update.committed or update.rolled-back follows",
                });
            }
            finally
            {
                File.Delete(package);
            }
        }
        catch (Exception e) when (e is UpdateRefusedException or InvalidDataException or System.Text.Json.JsonException or IOException or HttpRequestException)
        {
            return CommandHandlerResult.Failure(e.Message);
        }
    }

    private static async Task<string> DownloadAsync(InstallLayout layout, UpdateOffer offer, CancellationToken cancellationToken)
    {
        var downloads = Path.Combine(layout.Root, "downloads");
        Directory.CreateDirectory(downloads);
        var target = Path.Combine(downloads, Path.GetFileName(offer.Version) + ".zip");
        if (!Uri.TryCreate(offer.PackageUrl, UriKind.Absolute, out var uri) || uri.IsFile)
        {
            File.Copy(uri?.LocalPath ?? offer.PackageUrl, target, overwrite: true);
            return target;
        }

        using var http = new HttpClient { Timeout = DownloadTimeout };
        using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None);
        await response.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        return target;
    }
}
