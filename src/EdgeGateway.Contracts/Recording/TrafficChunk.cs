namespace EdgeGateway.Contracts.Recording;

/// <summary>One recorded chunk of device traffic.</summary>
/// <param name="At">When it was read or written (UTC).</param>
/// <param name="Direction">Device to host, or host to device.</param>
/// <param name="Bytes">The raw bytes.</param>
public sealed record TrafficChunk(DateTimeOffset At, TrafficDirection Direction, byte[] Bytes);
