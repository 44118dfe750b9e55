namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>One line of a harness scenario: at <paramref name="Offset"/> after start, do <paramref name="Action"/> to <paramref name="Target"/>.</summary>
/// <param name="Offset">Time after the gateway started.</param>
/// <param name="Target">An input's source name, <c>accel</c> or <c>supply</c>.</param>
/// <param name="Action"><c>on</c>, <c>off</c>, <c>press</c>, or a number (g, volts).</param>
/// <param name="Value">The number for <c>accel</c> and <c>supply</c>.</param>
/// <param name="Text">The line as written (logs).</param>
internal sealed record ScenarioStep(TimeSpan Offset, string Target, string Action, double Value, string Text);
