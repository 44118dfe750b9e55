using EdgeGateway.Devices.Modem;
using EdgeGateway.Transport;

namespace EdgeGateway.Devices.Tetra;

/// <summary>What the TETRA adapter did and rejected, for health and tests. Thread-safe.</summary>
internal sealed class TetraCounters
{
    private long _sdsSent;
    private long _sdsDelivered;
    private long _sdsFailed;
    private long _sdsNoReport;
    private long _sdsReceived;
    private long _sdsInvalid;
    private long _emergencies;
    private long _initErrors;

    /// <summary>The serial line.</summary>
    public TransportCounters Transport { get; } = new();

    /// <summary>The AT session.</summary>
    public AtSessionCounters At { get; } = new();

    public long SdsSent => Interlocked.Read(ref _sdsSent);

    public long SdsDelivered => Interlocked.Read(ref _sdsDelivered);

    public long SdsFailed => Interlocked.Read(ref _sdsFailed);

    public long SdsNoReport => Interlocked.Read(ref _sdsNoReport);

    public long SdsReceived => Interlocked.Read(ref _sdsReceived);

    /// <summary>Received SDS that could not be decoded (broken header, bad hex, unknown protocol).</summary>
    public long SdsInvalid => Interlocked.Read(ref _sdsInvalid);

    public long Emergencies => Interlocked.Read(ref _emergencies);

    /// <summary>Initialisation commands the terminal refused (e.g. a profile it does not support).</summary>
    public long InitErrors => Interlocked.Read(ref _initErrors);

    public void CountSent() => Interlocked.Increment(ref _sdsSent);

    public void CountDelivered() => Interlocked.Increment(ref _sdsDelivered);

    public void CountFailed() => Interlocked.Increment(ref _sdsFailed);

    public void CountNoReport() => Interlocked.Increment(ref _sdsNoReport);

    public void CountReceived() => Interlocked.Increment(ref _sdsReceived);

    public void CountInvalid() => Interlocked.Increment(ref _sdsInvalid);

    public void CountEmergency() => Interlocked.Increment(ref _emergencies);

    public void CountInitError() => Interlocked.Increment(ref _initErrors);
}
