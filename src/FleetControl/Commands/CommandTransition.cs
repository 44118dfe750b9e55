namespace FleetControl.Commands;

/// <summary>One step of a command's history.</summary>
internal sealed record CommandTransition(DateTimeOffset At, CommandState State, string Reason);
