namespace FleetControl.Commands;

/// <summary>A staged rollout (configuration, or an OTA update) to a group of devices and where it stands.</summary>
internal sealed class Rollout
{
    /// <summary><see cref="Rollout.Kind"/> of a configuration rollout.</summary>
    public const string ConfigurationKind = "configuration";

    /// <summary><see cref="Rollout.Kind"/> of an OTA update rollout (install-update commands in waves).</summary>
    public const string UpdateKind = "update";

    public required string RolloutId { get; init; }

    /// <summary><see cref="ConfigurationKind"/> or <see cref="UpdateKind"/>.</summary>
    public string Kind { get; init; } = ConfigurationKind;

    /// <summary>Update rollouts: device count of each wave, in order (they add up to the device count).</summary>
    public IReadOnlyList<int> Waves { get; init; } = [];

    /// <summary>Update rollouts: the version the offer installs (what "committed" is checked against).</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>Update rollouts: how long a wave may take from its first command to its last commit.</summary>
    public TimeSpan? WaveTimeout { get; init; }

    public required string Group { get; init; }

    public required IReadOnlyList<string> Devices { get; init; }

    /// <summary>The configuration (JSON object), or for an update rollout the signed offer (JSON).</summary>
    public required string Json { get; init; }

    /// <summary>Devices in the first stage; the second stage is every other device.</summary>
    public required int FirstStageSize { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long each apply-configuration command may wait for its device (null: the default).</summary>
    public TimeSpan? TimeToLive { get; init; }

    private volatile string _state = "running";

    /// <summary>running, completed or stopped (update rollouts: halted). Volatile: it is written after <see cref="Reason"/> and polled by readers.</summary>
    public string State { get => _state; set => _state = value; }

    public string Reason { get; set; } = string.Empty;

    public int Stage { get; set; } = 1;

    /// <summary>Per device: its command's last known state.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> DeviceStates { get; } = new(StringComparer.Ordinal);

    /// <summary>Per device: the apply-configuration command sent to it (what a resumed rollout waits for).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> DeviceCommands { get; } = new(StringComparer.Ordinal);
}
