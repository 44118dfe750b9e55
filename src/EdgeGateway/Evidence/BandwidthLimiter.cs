namespace EdgeGateway.Evidence;

/// <summary>Paces a transfer to a byte rate (0 = unlimited) using the injected clock.</summary>
internal sealed class BandwidthLimiter(long bytesPerSecond, TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();
    private long _bytes;

    public async ValueTask PaceAsync(int bytes, CancellationToken cancellationToken)
    {
        if (bytesPerSecond <= 0)
        {
            return;
        }

        _bytes += bytes;
        var due = TimeSpan.FromSeconds((double)_bytes / bytesPerSecond);
        var ahead = due - time.GetElapsedTime(_start);
        if (ahead > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(ahead, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
