namespace EdgeGateway.Tests.Evidence;

/// <summary>Polls a condition with a bounded deadline (for state changed by another process or thread).</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(start) > timeout)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0}s waiting for: {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        }
    }
}
