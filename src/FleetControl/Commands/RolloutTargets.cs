using FleetControl.Store;

namespace FleetControl.Commands;

/// <summary>The devices a rollout (configuration or update) goes to: explicit ids, or a role, or <c>all</c>.</summary>
internal static class RolloutTargets
{
    /// <summary>The group's name and devices, or a ProblemDetails result saying what is wrong.</summary>
    public static async Task<(string Group, IReadOnlyList<string> Devices, IResult? Problem)> ResolveAsync(
        IFleetStore fleet, string? group, IReadOnlyList<string>? devices, CancellationToken ct)
    {
        var known = await fleet.GetDevicesAsync(ct).ConfigureAwait(false);
        if (devices is { Count: > 0 } explicitDevices)
        {
            var unknown = explicitDevices.Where(d => known.All(k => k.DeviceId != d)).ToList();
            return unknown.Count > 0
                ? (string.Empty, [], Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown device", detail: "unknown device(s): " + string.Join(", ", unknown)))
                : ("devices", explicitDevices.Distinct(StringComparer.Ordinal).ToList(), null);
        }

        if (!string.IsNullOrEmpty(group))
        {
            var members = known.Where(d => group.Equals("all", StringComparison.OrdinalIgnoreCase) || d.Role.Equals(group, StringComparison.OrdinalIgnoreCase))
                .Select(d => d.DeviceId).ToList();
            return members.Count == 0
                ? (group, [], Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Empty group", detail: $"no device has role '{group}'"))
                : (group, members, null);
        }

        return (string.Empty, [], Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No target", detail: "give either group (a role or 'all') or devices"));
    }
}
