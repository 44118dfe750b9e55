namespace EdgeGateway.Simulators.Modem;

/// <summary>How the simulated TETRA terminal behaves.</summary>
internal sealed record TetraTerminalOptions
{
    /// <summary>The terminal's own ISSI.</summary>
    public string Issi { get; init; } = "1001";

    /// <summary>Echo commands back (ATE1, the power-on default of real terminals).</summary>
    public bool Echo { get; init; } = true;

    /// <summary>Answer <c>AT+CMGS=</c> with a <c>&gt;</c> prompt before the user data (most terminals); false takes the data straight after CR.</summary>
    public bool Prompt { get; init; } = true;

    /// <summary>Delay before each reply (the terminal's processing time).</summary>
    public TimeSpan ReplyDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Air time of one SDS before it reaches the network (pacing seen end to end).</summary>
    public TimeSpan AirTime { get; init; } = TimeSpan.FromMilliseconds(100);
}
