using System.IO.Pipelines;

namespace EdgeGateway.Transport;

/// <summary>
/// One open connection as a duplex seam: bytes from the device through <see cref="Input"/>, bytes to it
/// through <see cref="Output"/> (the same serial port or socket). Read-only devices use only the input.
/// </summary>
/// <param name="Input">What the device sends.</param>
/// <param name="Output">Where commands to the device go; flush after each command.</param>
internal sealed record DeviceLink(PipeReader Input, Stream Output);
