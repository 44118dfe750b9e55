namespace EdgeGateway.Time;

/// <summary>Whether the system clock is disciplined by a time service (NTP, chrony, PTP), so its readings can be labelled NTP.</summary>
internal interface IClockStatus
{
    /// <summary>True when the kernel says the system clock is synchronised.</summary>
    bool IsSynchronised { get; }
}
