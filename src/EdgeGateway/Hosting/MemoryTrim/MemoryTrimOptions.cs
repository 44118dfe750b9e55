using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace EdgeGateway.Hosting.MemoryTrim;

/// <summary>
/// When the gateway gives its start-up garbage back to the system: keys <c>Gateway:MemoryTrimAfterStart</c> and
/// <c>Gateway:MemoryTrimMinInterval</c> (bound from the <c>Gateway</c> section beside <see cref="GatewayOptions"/>).
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
internal sealed class MemoryTrimOptions
{
    /// <summary>
    /// How long after the host has started (every hosted service running: outbox open, link connecting) one
    /// compacting, memory-returning full collection runs; 00:00:00 turns the trim off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MemoryTrimAfterStart { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Least time between two trims: a trim asked for after a burst of work (a backlog drained) sooner than this after
    /// the last one waits until this has passed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MemoryTrimMinInterval { get; set; } = TimeSpan.FromMinutes(10);
}
