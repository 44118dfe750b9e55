using EdgeGateway.Storage;
using Microsoft.Win32.SafeHandles;

namespace EdgeGateway.Evidence;

/// <summary>
/// How far a running staging copy has written, so the upload can follow right behind the copy
/// (pipelined offload: the camera-to-staging copy and the upload overlap instead of running one
/// after the other). The upload never reads past <see cref="Written"/>.
/// </summary>
internal sealed class StagingTail
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written = -1;
    private bool _ended;
    private bool _abandoned;

    private long _durable;
    private long _consumed;
    private long _dropped;

    /// <summary>Bytes of the staged file that are written and final (-1 until the copy has prepared the file).</summary>
    public long Written => Interlocked.Read(ref _written);

    public void Advance(long written) => Signal(() => Interlocked.Exchange(ref _written, written));

    /// <summary>The copy finished: every byte is staged.</summary>
    public void Complete() => Signal(() => _ended = true);

    /// <summary>The copy stopped early (undocked, failed): the upload must stop too.</summary>
    public void Abandon() => Signal(() => _ended = _abandoned = true);

    /// <summary>Waits until <paramref name="needed"/> bytes are staged; false if the copy was abandoned first.</summary>
    public async ValueTask<bool> WaitForAsync(long needed, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task moved;
            lock (_gate)
            {
                if (_abandoned)
                {
                    return false;
                }

                if (Written >= needed || _ended)
                {
                    return true;
                }

                moved = _moved.Task;
            }

            await moved.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The copy made the first <paramref name="offset"/> bytes durable (fsynced).</summary>
    public void MarkDurable(long offset, SafeFileHandle handle) => Settle(handle, durable: offset, consumed: null);

    /// <summary>The upload has read the first <paramref name="offset"/> bytes.</summary>
    public void MarkConsumed(long offset, SafeFileHandle handle) => Settle(handle, durable: null, consumed: offset);

    /// <summary>Bytes both durable and already read by the upload leave the page cache (they are not read again).</summary>
    private void Settle(SafeFileHandle handle, long? durable, long? consumed)
    {
        lock (_gate)
        {
            _durable = Math.Max(_durable, durable ?? 0);
            _consumed = Math.Max(_consumed, consumed ?? 0);
            var settled = Math.Min(_durable, _consumed);
            if (settled > _dropped)
            {
                PageCache.Drop(handle, _dropped, settled - _dropped);
                _dropped = settled;
            }
        }
    }

    private void Signal(Action change)
    {
        TaskCompletionSource moved;
        lock (_gate)
        {
            change();
            moved = _moved;
            _moved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        moved.TrySetResult();
    }
}
