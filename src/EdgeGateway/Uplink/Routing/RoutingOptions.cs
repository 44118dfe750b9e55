using System.ComponentModel.DataAnnotations;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Uplink.Routing;

/// <summary>Which bearers each priority class may use (configuration section <c>Routing</c>).</summary>
public sealed class RoutingOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Routing";

    /// <summary>
    /// The classes the TETRA bearer may carry while LTE is down (<see cref="TetraRoute.Always"/>: also a copy while
    /// it is up). Classes not listed never go over TETRA. Emergency, Alert and Event (status) go as envelope SDS;
    /// Telemetry positions as LIP short reports.
    /// </summary>
    public Dictionary<PriorityClass, TetraRoute> Tetra { get; set; } = new()
    {
        [PriorityClass.Emergency] = TetraRoute.Always,
        [PriorityClass.Alert] = TetraRoute.WhenLteDown,
        [PriorityClass.Event] = TetraRoute.WhenLteDown,
        [PriorityClass.Telemetry] = TetraRoute.WhenLteDown,
    };

    /// <summary>Least gap between two LIP positions over TETRA; positions in between wait for LTE.</summary>
    public TimeSpan LipInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Returns how <paramref name="priority"/> may use TETRA.</summary>
    public TetraRoute TetraRouteOf(PriorityClass priority) => Tetra.TryGetValue(priority, out var route) ? route : TetraRoute.Never;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LipInterval < TimeSpan.Zero)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(LipInterval)} must not be negative.", [$"{SectionName}:{nameof(LipInterval)}"]);
        }

        foreach (var (priority, route) in Tetra)
        {
            var member = $"{SectionName}:{nameof(Tetra)}:{priority}";
            if (!Enum.IsDefined(route))
            {
                yield return new ValidationResult($"{member} must be Never, WhenLteDown or Always.", [member]);
            }
            else if (route != TetraRoute.Never && priority is PriorityClass.Bulk or PriorityClass.Read or PriorityClass.Unspecified)
            {
                // A few kbit/s shared with voice: bulk and ANPR reads would starve the urgent traffic.
                yield return new ValidationResult($"{member} must be Never: {priority} never goes over TETRA.", [member]);
            }
        }
    }
}
