namespace EdgeGateway.Contracts.Recording;

/// <summary>Which way a recorded chunk went, seen from the host.</summary>
public enum TrafficDirection
{
    /// <summary>Device to host (<c>rx</c>).</summary>
    Received,

    /// <summary>Host to device (<c>tx</c>).</summary>
    Sent,
}
