namespace EdgeGateway.Transport;

/// <summary>Backoff between connection attempts: doubles from <see cref="MinDelay"/> up to <see cref="MaxDelay"/>.</summary>
internal sealed record ReconnectOptions(TimeSpan MinDelay, TimeSpan MaxDelay);
