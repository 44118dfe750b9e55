namespace EdgeGateway.Retention;

/// <summary>What the retained history holds.</summary>
/// <param name="Messages">Messages kept.</param>
/// <param name="Bytes">Their envelope bytes.</param>
/// <param name="OldestCapturedAt">The oldest captured-at kept, or null when empty.</param>
internal sealed record RetentionStatistics(long Messages, long Bytes, DateTimeOffset? OldestCapturedAt);
