using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>What the gateway does after the ignition goes off (section <c>Video:PowerDown</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class PowerDownOptions
{
    /// <summary>
    /// Stop the gateway after ignition-off: once the open incident is finalised (post-event time) and every clip that
    /// may upload now is in the vault, or at <see cref="Delay"/> at the latest. The process then exits 0, which systemd's
    /// <c>Restart=on-failure</c> leaves stopped; the next boot (ignition on) starts it again and it resumes.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The battery-protection delay: the longest the gateway stays up after ignition-off. An incident still recording
    /// then is finalised at once; what is not uploaded yet stays staged and goes at the next start.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "08:00:00", ErrorMessage = "Video:PowerDown:Delay must be between 1 s and 8 hours.")]
    public TimeSpan Delay { get; set; } = TimeSpan.FromMinutes(10);
}
