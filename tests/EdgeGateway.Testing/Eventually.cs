using Xunit;

namespace EdgeGateway.Testing;

/// <summary>
/// Waits for a state that no event reports (another process's REST API or file, a socket accepting)
/// by polling it under a hard deadline, so a hang fails with a message instead of stalling the run.
/// </summary>
public static class Eventually
{
    /// <summary>How long a wait lasts unless the caller says otherwise: generous for a loaded 2-core CI machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = TimeProvider.System.GetTimestamp() + (long)(limit.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out after {limit} waiting for: {because ?? "the condition"}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Polls an asynchronous <paramref name="condition"/> every 50 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = TimeProvider.System.GetTimestamp() + (long)(limit.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out after {limit} waiting until {because}.");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="probe"/> every 250 ms until <paramref name="done"/> accepts its result, then
    /// returns it. Transient HTTP/IO errors count as "not yet".
    /// </summary>
    public static async Task<T> WaitAsync<T>(Func<CancellationToken, Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string because)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        var last = default(T);
        Exception? lastError = null;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                last = await probe(deadline.Token);
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
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Timed out after {timeout} waiting until {because}. Last value: {Describe(last)}. Last error: {lastError?.Message}");
    }

    /// <summary>A value for a timeout message: a collection's items, not its type name.</summary>
    private static string Describe(object? value) => value switch
    {
        null => "(none)",
        string text => text,
        System.Collections.IEnumerable items => "[" + string.Join("; ", items.Cast<object?>().Select(i => i?.ToString())) + "]",
        _ => value.ToString() ?? string.Empty,
    };
}
