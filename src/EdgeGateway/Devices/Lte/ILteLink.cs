namespace EdgeGateway.Devices.Lte;

/// <summary>The LTE modem as a source of bearer availability (routing reads it; nothing else depends on the modem).</summary>
internal interface ILteLink
{
    /// <summary>What is known now.</summary>
    LteStatus Status { get; }

    /// <summary>Raised when <see cref="LteStatus.State"/> changes.</summary>
    event Action<LteStatus>? StateChanged;
}
