namespace EdgeGateway.Devices.Modem;

/// <summary>One line of a capture as <c>at decode</c> reports it.</summary>
/// <param name="Line">The line's text, without its line end.</param>
/// <param name="Kind">What it is in its exchange.</param>
/// <param name="Command">The command it relates to (upper case, no prefix), when known.</param>
/// <param name="Registration">Decoded fields of a <c>+CREG</c>/<c>+CGREG</c>/<c>+CEREG</c> line.</param>
internal sealed record AtDecodedLine(string Line, AtLineKind Kind, string? Command, RegistrationReport? Registration);
