using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;
using EdgeGateway.Transport;

namespace EdgeGateway.Devices.Lte;

/// <summary>The LTE (ESN) modem's AT port (configuration section <c>Lte</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class LteOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Lte";

    /// <summary>Whether a modem's AT port is read. Off by default (the IP link state alone is used).</summary>
    public bool Enabled { get; set; }

    /// <summary>The modem's AT port (e.g. <c>/dev/ttyUSB2</c>).</summary>
    public SerialTransportOptions Serial { get; set; } = new() { BaudRate = 115200 };

    /// <summary>First wait after a failed or lost connection; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between connection attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one AT command may take.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often signal, operator and address are read; registration changes arrive as <c>+CEREG</c> in between.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Below this RSRP the bearer is Poor.</summary>
    public int PoorRsrpDbm { get; set; } = -110;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(Serial, new ValidationContext(Serial), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Select(m => $"{SectionName}:{nameof(Serial)}:{m}").ToArray();
            yield return new ValidationResult($"{string.Join(", ", members)}: {result.ErrorMessage}", members);
        }

        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(ReconnectMinDelay)} must be positive and at most ReconnectMaxDelay.", [nameof(ReconnectMinDelay)]);
        }

        if (CommandTimeout <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(CommandTimeout)} and {nameof(PollInterval)} must be positive.", [nameof(PollInterval)]);
        }

        if (PoorRsrpDbm is < -140 or > -44)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(PoorRsrpDbm)} must be −140 to −44 dBm.", [nameof(PoorRsrpDbm)]);
        }
    }
}
