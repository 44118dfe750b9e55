using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.Bwv;

/// <summary>The docking station's bays (configuration section <c>Dock</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class DockOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Dock";

    /// <summary>Where docked cameras appear as mounted volumes, one directory per bay (<c>bay-01</c> ..).</summary>
    [Required(ErrorMessage = "Dock:BaysRoot is required for the dock role.")]
    public string BaysRoot { get; set; } = string.Empty;

    /// <summary>Number of bays.</summary>
    [Range(1, 64, ErrorMessage = "Dock:Bays must be between 1 and 64.")]
    public int Bays { get; set; } = 8;

    /// <summary>
    /// How often the bays are checked. A check costs one <c>stat</c> call per bay for the marker and one
    /// per folder on the camera; a bay is listed again only when its marker or one of its folders
    /// changed, while a recording is still settling (see <see cref="SettleTime"/>), or at <see cref="FullRescanInterval"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Dock:ScanInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Safety net: every bay is listed again this often even when nothing seems to have changed
    /// (a file rewritten in place does not change its folder's modification time).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Dock:FullRescanInterval must be between 1 second and 1 hour.")]
    public TimeSpan FullRescanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A recording is taken only once its size and modification time have stood still this long (by the
    /// file's time, or since this dock first saw it so when the camera's clock runs ahead): a file still
    /// being written or copied onto the camera waits instead of being offloaded half-written. Zero takes
    /// every file at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Dock:SettleTime must be between 0 and 10 minutes.")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>What BWV cameras write: video (mp4, mov, avi, mkv), audio (wav, mp3) and stills (jpg, jpeg).</summary>
    public static readonly IReadOnlyList<string> DefaultRecordingExtensions = [".mp4", ".mov", ".avi", ".mkv", ".wav", ".mp3", ".jpg", ".jpeg"];

    /// <summary>
    /// File extensions the dock offloads, matched case-insensitively, with or without the dot, in any
    /// folder on the camera; empty (the default) means mp4, mov, avi, mkv, wav, mp3, jpg, jpeg. A
    /// configured list replaces the default (it is empty, so the configuration binder has nothing to
    /// append to); json is refused (sidecars). Any other file on a camera, and hidden (<c>.name</c>) or
    /// temporary (<c>~name</c>) files and system folders, are reported per bay as not taken.
    /// </summary>
    public string[] RecordingExtensions { get; set; } = [];

    /// <summary>The extensions in use, normalised (leading dot), as a case-insensitive set.</summary>
    internal HashSet<string> ExtensionSet() =>
        (RecordingExtensions.Length == 0 ? DefaultRecordingExtensions : RecordingExtensions)
            .Select(e => e.StartsWith('.') ? e : "." + e).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var e in RecordingExtensions ?? [])
        {
            var bare = e?.TrimStart('.') ?? string.Empty;
            if (bare.Length is 0 or > 8 || !bare.All(char.IsAsciiLetterOrDigit))
            {
                yield return new ValidationResult($"Dock:RecordingExtensions: '{e}' is not a file extension (1-8 letters or digits).", [nameof(RecordingExtensions)]);
            }
            else if (bare.Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                yield return new ValidationResult("Dock:RecordingExtensions must not include json (sidecars and the camera marker).", [nameof(RecordingExtensions)]);
            }
        }
    }
}
