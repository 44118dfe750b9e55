using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Uplink.Grpc;

/// <summary>How the gateway retries DeviceRegistry.Register at start-up (configuration section <c>Registration</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class RegistrationOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Registration";

    /// <summary>Deadline of one Register call.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Registration:AttemptTimeout must be between 100 ms and 10 minutes.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt within one round (exponential backoff with jitter).</summary>
    [Range(0, 100, ErrorMessage = "Registration:MaxRetryAttempts must be 0-100.")]
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>Backoff before the first retry; doubles per retry up to <see cref="MaxBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "Registration:InitialBackoff must be between 10 ms and 1 hour.")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest backoff between two retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "Registration:MaxBackoff must be between 10 ms and 1 hour.")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause after a round of attempts failed, before the next round. The gateway keeps buffering meanwhile.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", ErrorMessage = "Registration:RoundPause must be between 10 ms and 1 day.")]
    public TimeSpan RoundPause { get; set; } = TimeSpan.FromMinutes(1);
}
