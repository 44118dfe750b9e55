using System.Diagnostics;
using FleetControl.Mqtt;
using Microsoft.Extensions.Options;

namespace FleetControl.Identity;

/// <summary>
/// Makes a revocation effective on an external broker without restarting it: writes the revocation list
/// (<c>{identity}/crl.pem</c>, the broker's <c>crlfile</c>) and then runs <see cref="IdentityOptions.BrokerReloadCommand"/>,
/// e.g. <c>systemctl reload mosquitto</c> or <c>kill -HUP PID</c>: mosquitto re-reads its CRL on SIGHUP, so the
/// revoked certificate fails every new handshake from then on. mosquitto keeps a connection that is already open,
/// so then (<see cref="IdentityOptions.BrokerDynamicSecurity"/>, external broker only) the device's open connection is
/// closed through mosquitto's dynamic security plugin (<see cref="DynamicSecurityDisconnector"/>); its reconnect meets
/// the reloaded list. The embedded broker needs none of this: it disconnects the revoked device at once and checks
/// every handshake against the registry.
/// </summary>
internal sealed class RevocationPublisher(
    CertificateAuthority authority,
    IOptions<IdentityOptions> options,
    IOptions<MqttOptions> mqtt,
    ILogger<RevocationPublisher> logger,
    DynamicSecurityDisconnector? disconnector = null)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Writes the list, asks the broker to reload it, then has an external broker close <paramref name="deviceId"/>'s
    /// open connection; true when every configured step succeeded.
    /// </summary>
    public async Task<bool> PublishAsync(string deviceId, CancellationToken cancellationToken)
    {
        var reloaded = await ReloadAsync(cancellationToken).ConfigureAwait(false);
        if (mqtt.Value.Mode != MqttMode.External || !options.Value.BrokerDynamicSecurity || disconnector is null)
        {
            return reloaded;
        }

        // After the reload: the device's reconnect must meet the new list.
        var problem = await disconnector.DisconnectAsync(deviceId, CommandTimeout, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            Log.BrokerDisconnectFailed(logger, deviceId, problem);
            return false;
        }

        Log.BrokerDisconnected(logger, deviceId);
        return reloaded;
    }

    private async Task<bool> ReloadAsync(CancellationToken cancellationToken)
    {
        var list = authority.WriteRevocationList();
        var command = options.Value.BrokerReloadCommand;
        if (string.IsNullOrWhiteSpace(command))
        {
            return true;
        }

        var argv = command.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var start = new ProcessStartInfo(argv[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{argv[0]} did not start");
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).WaitAsync(CommandTimeout, cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                Log.BrokerReloadFailed(logger, command, $"exit code {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
                return false;
            }

            Log.BrokerReloaded(logger, command, list);
            return true;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            Log.BrokerReloadFailed(logger, command, ex.Message);
            return false;
        }
    }
}
