using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;
using EdgeGateway.Transport;

namespace EdgeGateway.Devices.Gnss;

/// <summary>The GNSS receiver adapter (configuration section <c>Gnss</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class GnssOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Gnss";

    /// <summary>Serial or Tcp.</summary>
    public GnssTransportKind Transport { get; set; } = GnssTransportKind.Serial;

    /// <summary>Serial settings, used when <see cref="Transport"/> is Serial.</summary>
    public SerialTransportOptions Serial { get; set; } = new();

    /// <summary>TCP settings, used when <see cref="Transport"/> is Tcp.</summary>
    public TcpTransportOptions Tcp { get; set; } = new();

    /// <summary>First wait after a failed or lost connection; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between connection attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A receiver that sends nothing for this long is treated as disconnected and reopened.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Move receiver dates that are more than 512 weeks behind the host clock forward by 1024 weeks (the
    /// GPS week-rollover bug of older receivers). Turn off only to replay old captures with their dates.
    /// </summary>
    public bool CorrectWeekRollover { get; set; } = true;

    /// <summary>Position deadbands.</summary>
    public GnssThinningOptions Thinning { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Transport))
        {
            yield return Error("Transport must be Serial or Tcp.", nameof(Transport));
        }

        object nested = Transport == GnssTransportKind.Tcp ? Tcp : Serial;
        var prefix = Transport == GnssTransportKind.Tcp ? nameof(Tcp) : nameof(Serial);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(nested, new ValidationContext(nested), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Select(m => $"{SectionName}:{prefix}:{m}").ToArray();
            yield return new ValidationResult($"{string.Join(", ", members)}: {result.ErrorMessage}", members);
        }

        if (Transport == GnssTransportKind.Tcp && Tcp.ConnectTimeout <= TimeSpan.Zero)
        {
            yield return Error("must be positive.", $"{nameof(Tcp)}:{nameof(TcpTransportOptions.ConnectTimeout)}");
        }

        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMinDelay > TimeSpan.FromMinutes(10))
        {
            yield return Error("must be between 0 and 10 minutes (exclusive of 0).", nameof(ReconnectMinDelay));
        }

        if (ReconnectMaxDelay < ReconnectMinDelay || ReconnectMaxDelay > TimeSpan.FromHours(1))
        {
            yield return Error("must be at least ReconnectMinDelay and at most 1 hour.", nameof(ReconnectMaxDelay));
        }

        if (IdleTimeout <= TimeSpan.Zero)
        {
            yield return Error("must be positive.", nameof(IdleTimeout));
        }

        var t = Thinning;
        if (t.MinInterval < TimeSpan.Zero)
        {
            yield return Error("must not be negative.", "Thinning:MinInterval");
        }

        if (t.MaxInterval <= TimeSpan.Zero || t.MaxInterval < t.MinInterval)
        {
            yield return Error("must be positive and at least Thinning:MinInterval.", "Thinning:MaxInterval");
        }

        if (!(t.MinDistanceMetres >= 0))
        {
            yield return Error("must not be negative.", "Thinning:MinDistanceMetres");
        }

        if (!(t.MinHeadingChangeDegrees is >= 0 and <= 180))
        {
            yield return Error("must be 0-180.", "Thinning:MinHeadingChangeDegrees");
        }

        if (!(t.HeadingMinSpeedMps >= 0))
        {
            yield return Error("must not be negative.", "Thinning:HeadingMinSpeedMps");
        }
    }

    private static ValidationResult Error(string message, string member) =>
        new($"{SectionName}:{member} {message}", [$"{SectionName}:{member}"]);
}
