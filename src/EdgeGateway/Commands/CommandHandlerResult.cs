namespace EdgeGateway.Commands;

/// <summary>What a handler reports.</summary>
/// <param name="Succeeded">True when the command did what it was asked.</param>
/// <param name="Reason">Why it failed (or a short note when it succeeded).</param>
/// <param name="Details">Key/value results shown in FleetControl.</param>
/// <param name="AfterRecorded">Runs once the result is durably recorded (e.g. a restart, which must not happen before).</param>
internal sealed record CommandHandlerResult(
    bool Succeeded,
    string Reason = "",
    IReadOnlyDictionary<string, string>? Details = null,
    Action? AfterRecorded = null)
{
    public static CommandHandlerResult Success(IReadOnlyDictionary<string, string>? details = null, Action? afterRecorded = null) =>
        new(true, string.Empty, details, afterRecorded);

    public static CommandHandlerResult Failure(string reason) => new(false, reason);
}
