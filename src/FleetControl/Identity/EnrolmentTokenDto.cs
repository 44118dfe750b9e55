namespace FleetControl.Identity;

/// <summary>The answer to an engineer's enrolment: the one-time token (shown once) and its expiry.</summary>
internal sealed record EnrolmentTokenDto(string DeviceId, string Token, DateTimeOffset ExpiresAt, string CaCertificatePem);
