using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>In-car video recording: the cameras, the pre-event ring and clips (configuration section <c>Video</c>, vehicle role).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class VideoOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Video";

    /// <summary>Off by default: a vehicle without in-car cameras starts no ffmpeg.</summary>
    public bool Enabled { get; set; }

    /// <summary>The ffmpeg binary (Debian's <c>ffmpeg</c> package).</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>The vehicle's cameras; all of them form the vehicle's recording group (one trigger records every one).</summary>
    public List<CameraOptions> Cameras { get; set; } = [];

    /// <summary>Where the ring and the incidents live; empty means <c>{Gateway:DataDirectory}/video</c>.</summary>
    public string Directory { get; set; } = string.Empty;

    /// <summary>Length of one ring segment (ffmpeg cuts at the next key frame after it).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:10", ErrorMessage = "Video:SegmentDuration must be between 1 and 10 s.")]
    public TimeSpan SegmentDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How much footage before a trigger a clip keeps (the pre-event buffer).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:02:00", ErrorMessage = "Video:PreEvent must be between 0 and 120 s.")]
    public TimeSpan PreEvent { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long recording goes on after the last trigger ended.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Video:PostEvent must be between 0 and 10 minutes.")]
    public TimeSpan PostEvent { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest clip: an incident still running then (a light bar on for an hour, speed above the threshold) is closed
    /// and uploaded, and recording goes on in a new incident that carries its triggers on.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "02:00:00", ErrorMessage = "Video:MaxClipDuration must be between 10 s and 2 hours.")]
    public TimeSpan MaxClipDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Byte quota of every camera's ring together; past it the oldest segments are dropped (counted, alarmed).</summary>
    [Range(1024 * 1024, long.MaxValue, ErrorMessage = "Video:RingQuotaBytes must be at least 1 MiB.")]
    public long RingQuotaBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>A camera whose newest segment has not grown for this long is faulted and reconnected.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Video:StallTimeout must be between 1 s and 5 minutes.")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before starting ffmpeg again after it exited or was faulted.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Video:RestartDelay must be between 100 ms and 5 minutes.")]
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the rings are checked for closed segments (and incidents for their end).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:10", ErrorMessage = "Video:CheckInterval must be between 100 ms and 10 s.")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before a failed clip upload (FleetControl unreachable) is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Video:UploadRetryDelay must be between 100 ms and 1 hour.")]
    public TimeSpan UploadRetryDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Trigger sources that do not start recording (ignition-off still ends an incident after the post-event time).</summary>
    public string[] IgnoredSources { get; set; } = [TriggerSources.Ignition, TriggerSources.SupplyLow];

    /// <summary>Sources whose clips are critical evidence (the evidence path sends critical items first).</summary>
    public string[] CriticalSources { get; set; } = [TriggerSources.Crash, TriggerSources.RadioEmergency, TriggerSources.GunLock, TriggerSources.AnprHit];

    /// <summary>
    /// The clip bearer policy's depot: critical clips (<see cref="CriticalSources"/>) upload over LTE, the rest only while
    /// the vehicle is at the depot. Nothing configured: every clip uploads over any link.
    /// </summary>
    public Bearers.DepotOptions Depot { get; set; } = new();

    /// <summary>Ignition-off: finish, flush and stop the gateway within a battery-protection delay.</summary>
    public PowerDownOptions PowerDown { get; set; } = new();

    /// <summary>Body-worn cameras paired with this vehicle: each incident broadcasts an activation to them.</summary>
    public string[] PairedBodyWornCameras { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        var nested = new List<ValidationResult>();
        Validator.TryValidateObject(Depot, new ValidationContext(Depot), nested, validateAllProperties: true);
        Validator.TryValidateObject(PowerDown, new ValidationContext(PowerDown), nested, validateAllProperties: true);
        foreach (var result in nested)
        {
            yield return result;
        }

        foreach (var problem in Depot.Problems())
        {
            yield return new ValidationResult(problem);
        }

        if (Cameras.Count == 0)
        {
            yield return new ValidationResult("Video:Cameras is empty: configure at least one camera (Name, Url) or set Video:Enabled to false.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Cameras.Count; i++)
        {
            var camera = Cameras[i];
            if (string.IsNullOrWhiteSpace(camera.Name) || camera.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            {
                yield return new ValidationResult($"Video:Cameras:{i}:Name '{camera.Name}' must be letters, digits, '-' or '_' (it names a folder).");
            }
            else if (!names.Add(camera.Name))
            {
                yield return new ValidationResult($"Video:Cameras:{i}:Name '{camera.Name}' is configured twice.");
            }

            if (string.IsNullOrWhiteSpace(camera.Url))
            {
                yield return new ValidationResult($"Video:Cameras:{i}:Url is required (rtsp://, udp://, tcp:// or anything ffmpeg reads).");
            }
        }
    }
}
