namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// Waits for a condition on another process (FleetControl's REST API, a gateway's health file) with a
/// hard deadline. Across processes there is no event to await, so the condition is polled; a hang
/// fails with <paramref name="because"/> instead of stalling the run.
/// </summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<CancellationToken, Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string because)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var last = default(T);
        Exception? lastError = null;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                last = await probe(deadline.Token).ConfigureAwait(false);
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                lastError = e;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Timed out after {timeout} waiting until {because}. Last value: {last}. Last error: {lastError?.Message}");
    }
}
