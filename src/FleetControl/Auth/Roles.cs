namespace FleetControl.Auth;

/// <summary>
/// The four engineer roles. A viewer reads the fleet; an engineer also sends commands, sets configuration,
/// runs rollouts and acknowledges alerts; an evidence officer reads the fleet and views, verifies and exports
/// evidence (every such access is audited); an administrator may do everything, including accounts and the
/// audit log.
/// </summary>
internal static class Roles
{
    public const string Viewer = "viewer";
    public const string Engineer = "engineer";
    public const string EvidenceOfficer = "evidence-officer";
    public const string Administrator = "administrator";

    public static readonly IReadOnlyList<string> All = [Viewer, Engineer, EvidenceOfficer, Administrator];

    /// <summary>
    /// The canonical role for <paramref name="value"/> (case, '-', '_' and spaces ignored, so an identity
    /// provider's "EvidenceOfficer" app role matches), or null when it names none.
    /// </summary>
    public static string? Normalise(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var compact = value.Replace("-", string.Empty, StringComparison.Ordinal)
            .Replace("_", string.Empty, StringComparison.Ordinal)
            .Replace(" ", string.Empty, StringComparison.Ordinal);
        foreach (var role in All)
        {
            if (string.Equals(role.Replace("-", string.Empty, StringComparison.Ordinal), compact, StringComparison.OrdinalIgnoreCase))
            {
                return role;
            }
        }

        return null;
    }
}
