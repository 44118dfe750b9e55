namespace EdgeGateway.Devices.Modem;

/// <summary>Timeouts of an AT session.</summary>
/// <param name="CommandTimeout">How long a command may take to its final result code.</param>
/// <param name="PromptTimeout">How long to wait for the <c>&gt;</c> prompt before cancelling the PDU with ESC.</param>
internal sealed record AtSessionOptions(TimeSpan CommandTimeout, TimeSpan PromptTimeout)
{
    /// <summary>5 s per command, 5 s for a prompt.</summary>
    public static AtSessionOptions Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
}
