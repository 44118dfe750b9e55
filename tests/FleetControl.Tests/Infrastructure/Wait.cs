namespace FleetControl.Tests.Infrastructure;

/// <summary>Bounded polling for conditions that offer no event to await.</summary>
internal static class Wait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)((timeout ?? Timeout).TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!await condition().ConfigureAwait(false))
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
    }
}
