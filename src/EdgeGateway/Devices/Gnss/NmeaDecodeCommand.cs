namespace EdgeGateway.Devices.Gnss;

/// <summary><c>nmea decode FILE</c>: prints one gpsd-TPV-like JSON object per fix.</summary>
internal static class NmeaDecodeCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        error.WriteLine("nmea decode: not implemented yet");
        return Task.FromResult(2);
    }
}
