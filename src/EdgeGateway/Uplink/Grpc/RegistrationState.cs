namespace EdgeGateway.Uplink.Grpc;

/// <summary>Whether FleetControl has accepted this gateway's registration (thread-safe, read by health and tests).</summary>
internal sealed class RegistrationState
{
    private readonly TaskCompletionSource<DateTimeOffset> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _attempts;

    /// <summary>Completes with FleetControl's server time when the registration was accepted.</summary>
    public Task<DateTimeOffset> Registered => _registered.Task;

    public bool IsRegistered => _registered.Task.IsCompletedSuccessfully;

    /// <summary>Register calls made so far (including failed ones).</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public void OnAttempt() => Interlocked.Increment(ref _attempts);

    public void OnAccepted(DateTimeOffset serverTime) => _registered.TrySetResult(serverTime);
}
