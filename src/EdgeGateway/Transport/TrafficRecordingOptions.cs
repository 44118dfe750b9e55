using System.ComponentModel.DataAnnotations;

namespace EdgeGateway.Transport;

/// <summary>
/// Opt-in recording of a device's raw traffic in both directions (section <c>...:Record</c>), so a field
/// problem can be replayed by the simulators in CI. Bounded: at <see cref="MaxBytes"/> the file is moved
/// to <c>FILE.1</c> (replacing the one before) and a new one started, so at most twice that is kept.
/// </summary>
public sealed class TrafficRecordingOptions
{
    /// <summary>Record or not (default off).</summary>
    public bool Enabled { get; set; }

    /// <summary>The recording file; relative paths are under the gateway's working directory.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Size at which the file rotates.</summary>
    [Range(4096, 1L << 32, ErrorMessage = "MaxBytes must be between 4 KiB and 4 GiB.")]
    public long MaxBytes { get; set; } = 8L << 20;

    /// <summary>Validation errors, named under <paramref name="prefix"/> (e.g. <c>Tetra:Record</c>).</summary>
    public IEnumerable<ValidationResult> Validate(string prefix)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return new ValidationResult($"{prefix}:Path is required when {prefix}:Enabled is true.", [$"{prefix}:Path"]);
        }

        if (MaxBytes is < 4096 or > 1L << 32)
        {
            yield return new ValidationResult($"{prefix}:MaxBytes must be between 4 KiB and 4 GiB.", [$"{prefix}:MaxBytes"]);
        }
    }
}
