using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;
using EdgeGateway.Transport;

namespace EdgeGateway.Devices.Tetra;

/// <summary>The TETRA terminal on its PEI serial line (configuration section <c>Tetra</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class TetraOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Tetra";

    /// <summary>Whether a terminal is fitted. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>The PEI serial line (Motorola and Sepura terminals default to 38400 or 9600 baud).</summary>
    public SerialTransportOptions Serial { get; set; } = new() { BaudRate = 38400 };

    /// <summary>First wait after a failed or lost connection; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between connection attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one AT command may take to its final result code.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether the terminal answers <c>AT+CMGS=...</c> with a <c>&gt;</c> prompt before the user data (most do);
    /// false sends command, hex and Ctrl-Z in one go, as EN 300 392-5 writes it.
    /// </summary>
    public bool AwaitPrompt { get; set; } = true;

    /// <summary>How often registration and signal are read (<c>AT+CREG?</c>, <c>AT+CSQ</c>); registration URCs come in between.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Least gap between two SDS sends (air-interface pacing).</summary>
    public TimeSpan SdsMinInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most SDS waiting to be sent; a send beyond it is refused (the message stays in the outbox).</summary>
    public int SdsQueueCapacity { get; set; } = 64;

    /// <summary>How long to wait for the SDS-TL delivery report of a send that asked for one.</summary>
    public TimeSpan ReportTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// ISSI of FleetControl's TETRA gateway (the dispatcher side), where urgent envelopes are sent as SDS.
    /// Empty: nothing is sent over TETRA, the terminal is only read.
    /// </summary>
    public string DispatcherIssi { get; set; } = string.Empty;

    /// <summary>The pre-coded status value that means "emergency" (EN 300 392-2 clause 14.8.34: 0).</summary>
    public int EmergencyStatus { get; set; }

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
            yield return Error("must be positive and at most ReconnectMaxDelay.", nameof(ReconnectMinDelay));
        }

        foreach (var (value, name) in new[] { (CommandTimeout, nameof(CommandTimeout)), (PollInterval, nameof(PollInterval)), (ReportTimeout, nameof(ReportTimeout)) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return Error("must be positive.", name);
            }
        }

        if (SdsMinInterval < TimeSpan.Zero)
        {
            yield return Error("must not be negative.", nameof(SdsMinInterval));
        }

        if (SdsQueueCapacity is < 1 or > 10_000)
        {
            yield return Error("must be 1-10000.", nameof(SdsQueueCapacity));
        }

        if (DispatcherIssi.Length > 0 && (DispatcherIssi.Length > 24 || !DispatcherIssi.All(char.IsAsciiDigit)))
        {
            yield return Error("must be the ISSI/ITSI digits (or empty).", nameof(DispatcherIssi));
        }

        if (EmergencyStatus is < 0 or > 65535)
        {
            yield return Error("must be a 16-bit status value (0-65535).", nameof(EmergencyStatus));
        }
    }

    private static ValidationResult Error(string message, string member) =>
        new($"{SectionName}:{member} {message}", [$"{SectionName}:{member}"]);
}
