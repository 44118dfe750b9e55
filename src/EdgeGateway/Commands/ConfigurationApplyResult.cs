namespace EdgeGateway.Commands;

/// <summary>The outcome of applying a desired configuration.</summary>
/// <param name="Applied">False when rejected (nothing was written).</param>
/// <param name="Reason">Why it was rejected: every failing validator's message.</param>
/// <param name="RestartRequired">True when a changed section is only read at start-up.</param>
/// <param name="RunningVersion">The version in effect after this call (the previous one after a rejection).</param>
internal sealed record ConfigurationApplyResult(bool Applied, string Reason, bool RestartRequired, long RunningVersion);
