namespace FleetControl.Evidence;

/// <summary>The outcome of verifying one vault item: OK with a summary, or exactly what broke.</summary>
internal sealed record EvidenceVerification(bool Ok, IReadOnlyList<string> Problems, string? Summary)
{
    public static EvidenceVerification Fail(string problem) => new(false, [problem], null);
}
