namespace EdgeGateway.Devices.Tetra;

/// <summary>The result of <see cref="ITetraSds.SendAsync"/>.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="MessageReference">The SDS-TL message reference used (0 without SDS-TL).</param>
/// <param name="DeliveryStatus">The SDS-TL report's delivery status, or -1 without one.</param>
/// <param name="Detail">For logs: the terminal's answer (<c>+CMGS: 0,4,12</c>, <c>+CME ERROR: 35</c>).</param>
internal sealed record SdsSendResult(SdsSendOutcome Outcome, byte MessageReference, int DeliveryStatus, string Detail);
