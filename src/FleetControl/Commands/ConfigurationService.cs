using System.Text.Json;
using EdgeGateway.Contracts.V1;

namespace FleetControl.Commands;

/// <summary>
/// Desired configuration per device, versioned: each new desired configuration gets the next version and
/// travels to the device as an apply-configuration command (so it waits for an offline device like any
/// command). The device's answer sets the reported version and the status (applied or rejected).
/// </summary>
internal sealed class ConfigurationService(CommandStore store, CommandService commands)
{
    // Serialises version numbering: two concurrent updates must not both become version N+1.
    private readonly SemaphoreSlim _versions = new(1, 1);

    /// <summary>Largest accepted configuration document.</summary>
    public const int MaxJsonBytes = 64 * 1024;

    /// <summary>The device's desired and reported configuration.</summary>
    public DeviceConfiguration Get(string deviceId) => store.GetConfiguration(deviceId);

    /// <summary>
    /// Checks that <paramref name="json"/> is a JSON object of configuration sections. Returns the reason it
    /// is not, or null. The device validates the values themselves with its start-up validators.
    /// </summary>
    public static string? CheckShape(string json)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxJsonBytes)
        {
            return $"the configuration is larger than {MaxJsonBytes} bytes";
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? null : "the configuration must be a JSON object";
        }
        catch (JsonException ex)
        {
            return "the configuration is not valid JSON: " + ex.Message;
        }
    }

    /// <summary>Makes <paramref name="json"/> the device's next desired version and sends it.</summary>
    public async Task<(DeviceConfiguration Configuration, CommandRecord Command)> SetDesiredAsync(string deviceId, string json, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        await _versions.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SetDesiredLockedAsync(deviceId, json, timeToLive, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _versions.Release();
        }
    }

    private async Task<(DeviceConfiguration Configuration, CommandRecord Command)> SetDesiredLockedAsync(string deviceId, string json, TimeSpan? timeToLive, CancellationToken cancellationToken)
    {
        var current = store.GetConfiguration(deviceId);
        var version = current.DesiredVersion + 1;
        var command = new Command { ApplyConfiguration = new ApplyConfigurationCommand { Version = version, Json = json } };
        var record = await commands.SendAsync(deviceId, command, timeToLive, cancellationToken, queued =>
        {
            store.PutConfiguration(current with { DesiredVersion = version, DesiredJson = json, CommandId = queued.CommandId, Status = "pending" });
        }).ConfigureAwait(false);
        return (store.GetConfiguration(deviceId), record);
    }
}
