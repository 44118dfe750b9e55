using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Evidence;

/// <summary>Offload counters and alarms, added to the gateway's periodic HealthReport.</summary>
internal sealed class EvidenceCounters : IHealthContributor
{
    private long _bytesCopied;
    private long _bytesUploaded;
    private long _itemsVerified;
    private long _itemsWiped;
    private long _itemsKept;
    private long _chunksRejected;
    private long _uploadRetries;
    private long _interrupted;
    private long _failures;
    private long _receiptMismatches;
    private long _bayChecks;
    private int _stagingFull;
    private int _unaccepted;

    public long BytesCopied => Interlocked.Read(ref _bytesCopied);

    public long BytesUploaded => Interlocked.Read(ref _bytesUploaded);

    public long ItemsVerified => Interlocked.Read(ref _itemsVerified);

    public long ChunksRejected => Interlocked.Read(ref _chunksRejected);

    public long UploadRetries => Interlocked.Read(ref _uploadRetries);

    public long Interrupted => Interlocked.Read(ref _interrupted);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Alarm: staging is full and offload is paused.</summary>
    public bool StagingFull => Volatile.Read(ref _stagingFull) != 0;

    public void AddCopied(long bytes) => Interlocked.Add(ref _bytesCopied, bytes);

    public void AddUploaded(long bytes) => Interlocked.Add(ref _bytesUploaded, bytes);

    public void Verified() => Interlocked.Increment(ref _itemsVerified);

    public void Wiped() => Interlocked.Increment(ref _itemsWiped);

    public void Kept() => Interlocked.Increment(ref _itemsKept);

    public void ChunkRejected() => Interlocked.Increment(ref _chunksRejected);

    public void UploadRetried() => Interlocked.Increment(ref _uploadRetries);

    public void CopyInterrupted() => Interlocked.Increment(ref _interrupted);

    public void Failed() => Interlocked.Increment(ref _failures);

    /// <summary>Checks of the bays so far (one per <c>Dock:ScanInterval</c>; most are two stat calls per bay).</summary>
    public long BayChecks => Interlocked.Read(ref _bayChecks);

    public void BaysChecked() => Interlocked.Increment(ref _bayChecks);

    public void ReceiptMismatched() => Interlocked.Increment(ref _receiptMismatches);

    public long ReceiptMismatches => Interlocked.Read(ref _receiptMismatches);

    /// <summary>Files on docked cameras the dock will not take, right now.</summary>
    public int UnacceptedFiles
    {
        get => Volatile.Read(ref _unaccepted);
        set => Volatile.Write(ref _unaccepted, value);
    }

    /// <summary>Sets the staging-full alarm; true when this changed it.</summary>
    public bool SetStagingFull(bool full) => Interlocked.Exchange(ref _stagingFull, full ? 1 : 0) != (full ? 1 : 0);

    public void Contribute(HealthReport report)
    {
        report.Counters["evidence.bytes_copied"] = (ulong)BytesCopied;
        report.Counters["evidence.bytes_uploaded"] = (ulong)BytesUploaded;
        report.Counters["evidence.items_verified"] = (ulong)ItemsVerified;
        report.Counters["evidence.items_wiped"] = (ulong)Interlocked.Read(ref _itemsWiped);
        report.Counters["evidence.items_kept"] = (ulong)Interlocked.Read(ref _itemsKept);
        report.Counters["evidence.chunks_rejected"] = (ulong)ChunksRejected;
        report.Counters["evidence.upload_retries"] = (ulong)UploadRetries;
        report.Counters["evidence.copies_interrupted"] = (ulong)Interrupted;
        report.Counters["evidence.failures"] = (ulong)Failures;
        report.Counters["evidence.alarm_staging_full"] = StagingFull ? 1UL : 0UL;
        report.Counters["evidence.bay_checks"] = (ulong)BayChecks;
        report.Counters["evidence.receipt_mismatches"] = (ulong)ReceiptMismatches;
        report.Counters["evidence.files_not_accepted"] = (ulong)UnacceptedFiles;
    }
}
