using System.ComponentModel.DataAnnotations;
using EdgeGateway.Devices.Anpr.Hotlists;

namespace EdgeGateway.Devices.Anpr;

/// <summary>The ANPR camera adapter and hotlist matching (configuration section <c>Anpr</c>).</summary>
public sealed class AnprOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Anpr";

    /// <summary>Run the camera listener (vehicles with an ANPR unit only).</summary>
    public bool Enabled { get; set; }

    /// <summary>Address the camera listener binds to: loopback, or the vehicle LAN address the cameras post to.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port of the camera listener (reads are POSTed to <c>/anpr/reads</c>; the in-car terminal reads <c>/anpr/events</c>).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 8480;

    /// <summary>Largest image part accepted, in bytes.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxImageBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>A camera that has sent reads and then sends nothing for this long raises a fault (once, until it sends again).</summary>
    public TimeSpan CameraSilenceTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Cameras fitted to this vehicle: each must send within <see cref="CameraSilenceTimeout"/> of start-up too.</summary>
    public string[] ExpectedCameras { get; set; } = [];

    /// <summary>Fuzzy level of hotlist matching: None (exact) or Ocr (also the common OCR confusions).</summary>
    public FuzzyLevel Fuzzy { get; set; } = FuzzyLevel.Ocr;

    /// <summary>Further hits on a VRM within this window of an alert are suppressed (and counted).</summary>
    public TimeSpan HitSuppressionWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The read's position is interpolated from GNSS fixes no further than this from the read's time; beyond it the read has no position.</summary>
    public TimeSpan MaxPositionGap { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Days the captured images stay in <c>{DataDirectory}/anpr/images</c> for the in-car terminal (they travel to FleetControl in the outbox).</summary>
    [Range(1, 3650)]
    public int ImageRetentionDays { get; set; } = 2;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(ListenAddress)} '{ListenAddress}' is not an IP address.", [nameof(ListenAddress)]);
        }

        if (CameraSilenceTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(CameraSilenceTimeout)} must be positive.", [nameof(CameraSilenceTimeout)]);
        }

        if (HitSuppressionWindow < TimeSpan.Zero)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(HitSuppressionWindow)} must not be negative.", [nameof(HitSuppressionWindow)]);
        }

        if (MaxPositionGap <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(MaxPositionGap)} must be positive.", [nameof(MaxPositionGap)]);
        }

        if (!Enum.IsDefined(Fuzzy))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(Fuzzy)} must be None or Ocr.", [nameof(Fuzzy)]);
        }
    }
}
