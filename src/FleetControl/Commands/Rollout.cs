namespace FleetControl.Commands;

/// <summary>A staged configuration rollout to a group of devices and where it stands.</summary>
internal sealed class Rollout
{
    public required string RolloutId { get; init; }

    public required string Group { get; init; }

    public required IReadOnlyList<string> Devices { get; init; }

    public required string Json { get; init; }

    /// <summary>Devices in the first stage; the second stage is every other device.</summary>
    public required int FirstStageSize { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long each apply-configuration command may wait for its device (null: the default).</summary>
    public TimeSpan? TimeToLive { get; init; }

    private volatile string _state = "running";

    /// <summary>running, completed or stopped. Volatile: it is written after <see cref="Reason"/> and polled by readers.</summary>
    public string State { get => _state; set => _state = value; }

    public string Reason { get; set; } = string.Empty;

    public int Stage { get; set; } = 1;

    /// <summary>Per device: its command's last known state.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> DeviceStates { get; } = new(StringComparer.Ordinal);

    /// <summary>Per device: the apply-configuration command sent to it (what a resumed rollout waits for).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> DeviceCommands { get; } = new(StringComparer.Ordinal);
}
